package com.bookingmonitor.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every metric that a dashboard panel or an alert rule queries must be one the services
 * expose: a renamed meter otherwise leaves a blank panel or an alert that never fires.
 * Both services run against a test Redis and PostgreSQL, take a few bookings, and their
 * /actuator/prometheus scrapes are compared with the names in the queries.
 */
class MetricsCoverageTests {

	/** Series that Prometheus itself adds to every scrape, so no service exposes them. */
	private static final Set<String> SCRAPE_SERIES = Set.of("up");

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private static RedisServer redis;

	private static PostgresDatabase database;

	private static SystemUnderTest system;

	@BeforeAll
	static void startSystem() {
		redis = RedisServer.start();
		database = PostgresDatabase.create();
		// Short intervals, so the periodic gauges have values within the test's wait.
		system = SystemUnderTest.start(redis, database,
				Map.of("booking.api.inventory.drift-check-interval", "1s", "booking.consumer.stats-interval", "1s"));
	}

	@AfterAll
	static void stopSystem() {
		if (system != null) {
			system.close();
		}
		if (database != null) {
			database.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void dashboardAndAlertsQueryExposedMetrics() throws Exception {
		long eventId = createEvent(2);
		assertThat(book(eventId, "metrics-user-1")).isEqualTo(202);
		assertThat(book(eventId, "metrics-user-2")).isEqualTo(202);
		assertThat(book(eventId, "metrics-user-3")).as("booking of a sold-out event").isEqualTo(409);
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(confirmed(eventId)).isEqualTo(2));

		// JVM GC metrics register the pause timer at the first collection, which a short
		// test
		// may not reach on its own.
		System.gc();

		Map<String, Set<String>> queried = queriedMetrics();
		assertThat(queried).as("metrics queried by the dashboard and the alerts").isNotEmpty();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
			Set<String> exposed = new TreeSet<>(SCRAPE_SERIES);
			exposed.addAll(MetricsNames.exposedIn(scrape(system.apiBaseUrl())));
			exposed.addAll(MetricsNames.exposedIn(scrape(system.consumerBaseUrl())));

			Map<String, Set<String>> missing = new TreeMap<>(queried);
			missing.keySet().removeAll(exposed);
			assertThat(missing).as("queried metrics (name=[where]) that neither service exposes").isEmpty();
		});
	}

	@Test
	void bookLatencySeriesCarryDashboardLabels() throws Exception {
		long eventId = createEvent(5);
		assertThat(book(eventId, "labels-user")).isEqualTo(202);

		String exposition = scrape(system.apiBaseUrl());

		// The POST /book latency panel and BookLatencyP99High select these labels.
		assertThat(exposition).containsPattern(
				"(?m)^http_server_requests_seconds_bucket\\{(?=[^}]*method=\"POST\")(?=[^}]*uri=\"/book\")[^}]*}");
		assertThat(exposition).containsPattern("(?m)^booking_requests_total\\{[^}]*outcome=\"accepted\"");
	}

	/**
	 * Returns each metric name in a dashboard query or alert expression, with where it is
	 * used.
	 */
	private static Map<String, Set<String>> queriedMetrics() {
		Map<String, Set<String>> queried = new TreeMap<>();
		for (DashboardPanel panel : DashboardPanel.load()) {
			for (DashboardPanel.Target target : panel.targets()) {
				for (String name : MetricsNames.usedIn(target.expr())) {
					queried.computeIfAbsent(name, (key) -> new TreeSet<>()).add("panel '" + panel.title() + "'");
				}
			}
		}
		for (AlertRule rule : AlertRule.load()) {
			for (String name : MetricsNames.usedIn(rule.expr())) {
				queried.computeIfAbsent(name, (key) -> new TreeSet<>()).add("alert " + rule.name());
			}
		}
		return queried;
	}

	private static String scrape(String baseUrl) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/prometheus"))
			.timeout(Duration.ofSeconds(10))
			.header("Accept", "text/plain")
			.GET()
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s/actuator/prometheus", baseUrl).isEqualTo(200);
		return response.body();
	}

	private static long createEvent(int capacity) throws IOException, InterruptedException {
		HttpResponse<String> response = post("/events", Map.of("name", "Metrics coverage", "capacity", capacity));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return json.readTree(response.body()).required("id").asLong();
	}

	private static int book(long eventId, String userId) throws IOException, InterruptedException {
		return post("/book", Map.of("eventId", eventId, "userId", userId, "quantity", 1)).statusCode();
	}

	private static long confirmed(long eventId) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(system.apiBaseUrl() + "/events/" + eventId))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body()).required("confirmed").asLong();
	}

	private static HttpResponse<String> post(String path, Map<String, Object> body)
			throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(system.apiBaseUrl() + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
