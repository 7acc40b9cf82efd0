package com.bookingmonitor.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import static com.bookingmonitor.system.ComposeProject.file;
import static com.bookingmonitor.system.ComposeProject.list;
import static com.bookingmonitor.system.ComposeProject.map;
import static com.bookingmonitor.system.ComposeProject.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks docker-compose.yml against the repository without a Docker engine: paths it
 * mounts and builds from, health checks and start order, and ports against the services'
 * own configuration.
 */
class ComposeFileTests {

	private static final String COMPOSE_FILE = "docker-compose.yml";

	private static final List<String> SERVICE_MODULES = List.of("booking-api", "order-consumer");

	@Test
	void mountedAndBuiltPathsExist() {
		Map<String, Object> compose = yaml(COMPOSE_FILE);
		Map<String, Object> namedVolumes = map(compose.get("volumes"), "volumes");

		services().forEach((name, service) -> {
			if (service.get("build") != null) {
				Map<String, Object> build = map(service.get("build"), name + ".build");
				Path context = file(String.valueOf(build.get("context")));
				assertThat(context).as("build context of %s", name).isDirectory();
				assertThat(context.resolve(String.valueOf(build.get("dockerfile")))).as("Dockerfile of %s", name)
					.isRegularFile();
			}
			for (String volume : volumes(name)) {
				String source = volume.split(":")[0];
				if (source.startsWith(".") || source.startsWith("/")) {
					assertThat(file(source)).as("bind mount '%s' of %s", volume, name).exists();
				}
				else {
					assertThat(namedVolumes).as("named volume '%s' of %s", source, name).containsKey(source);
				}
			}
		});
	}

	@Test
	void longRunningServicesHaveHealthChecks() {
		services().forEach((name, service) -> {
			// A service in a profile, such as k6, runs once and exits: nothing to check.
			if (service.get("profiles") == null) {
				Map<String, Object> healthcheck = map(service.get("healthcheck"), name + ".healthcheck");
				assertThat(list(healthcheck.get("test"), name + ".healthcheck.test")).as("health check of %s", name)
					.isNotEmpty();
			}
		});
	}

	@Test
	void startOrderWaitsForHealthyServices() {
		Map<String, Map<String, Object>> services = services();

		services.forEach((name, service) -> {
			if (service.get("depends_on") == null) {
				return;
			}
			map(service.get("depends_on"), name + ".depends_on").forEach((dependency, options) -> {
				Map<String, Object> condition = map(options, name + ".depends_on." + dependency);
				assertThat(condition.get("condition")).as("%s waits for %s", name, dependency)
					.isEqualTo("service_healthy");
				assertThat(services.get(dependency)).as("service %s", dependency).containsKey("healthcheck");
			});
		});
		assertThat(dependencies("booking-api")).containsExactlyInAnyOrder("redis", "postgres");
		assertThat(dependencies("order-consumer")).containsExactlyInAnyOrder("redis", "postgres");
		assertThat(dependencies("grafana")).containsExactly("prometheus");
	}

	@Test
	void servicePortsMatchSpringConfiguration() throws IOException {
		assertThat(actuatorPort("booking-api")).isEqualTo(8080);
		assertThat(actuatorPort("order-consumer")).isEqualTo(8081);

		for (String module : SERVICE_MODULES) {
			int port = actuatorPort(module);
			Map<String, Object> service = services().get(module);
			String readiness = "http://127.0.0.1:" + port + "/actuator/health/readiness";

			assertThat(list(service.get("ports"), module + ".ports")).as("ports of %s", module)
				.containsExactly("127.0.0.1:" + port + ":" + port);
			assertThat(healthCheck(module)).as("health check of %s", module).contains(readiness);
			assertThat(prometheusTargets()).as("Prometheus target of %s", module).contains(module + ":" + port);

			String dockerfile = Files.readString(file(module + "/Dockerfile"));
			assertThat(dockerfile).as("%s/Dockerfile", module).contains("EXPOSE " + port);
			assertThat(dockerfile).as("%s/Dockerfile", module).contains(readiness);
		}
	}

	@Test
	void imagesRunServiceJarsAsNonRoot() throws Exception {
		String version = xpath("pom.xml", "/project/version");

		for (String module : SERVICE_MODULES) {
			String dockerfile = Files.readString(file(module + "/Dockerfile"));

			assertThat(xpath(module + "/pom.xml", "//plugin[artifactId='spring-boot-maven-plugin']//classifier"))
				.as("spring-boot repackage classifier of %s", module)
				.isEqualTo("exec");
			assertThat(dockerfile).contains(module + "/target/" + module + "-" + version + "-exec.jar");
			assertThat(dockerfile).containsPattern("(?m)^USER (?!root)\\w+");
			assertThat(dockerfile).contains("-XX:MaxRAMPercentage=");
		}
	}

	@Test
	void servicesUseComposeRedisAndPostgres() {
		Map<String, Object> postgres = environment("postgres");
		String datasourceUrl = "jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB");

		assertThat(postgres.get("POSTGRES_DB")).isEqualTo("booking");
		for (String module : SERVICE_MODULES) {
			Map<String, Object> environment = environment(module);
			assertThat(environment.get("SPRING_DATA_REDIS_HOST")).as("Redis host of %s", module).isEqualTo("redis");
			assertThat(environment.get("SPRING_DATASOURCE_URL")).as("datasource of %s", module)
				.isEqualTo(datasourceUrl);
			assertThat(environment.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(postgres.get("POSTGRES_USER"));
			assertThat(environment.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
			assertThat(String.valueOf(environment.get("LOGGING_STRUCTURED_FORMAT_CONSOLE")))
				.as("structured logging of %s", module)
				.matches("\\$\\{LOGGING_STRUCTURED_FORMAT_CONSOLE:-(ecs|logstash|gelf)}");
		}
	}

	@Test
	void redisMountsRepositoryConfiguration() {
		String mount = volumes("redis").stream()
			.filter((volume) -> volume.startsWith("./redis/redis.conf:"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("redis does not mount ./redis/redis.conf: " + volumes("redis")));
		String target = mount.split(":")[1];
		List<Object> command = list(services().get("redis").get("command"), "redis.command");

		assertThat(command.subList(0, 2)).containsExactly("redis-server", target);
	}

	@Test
	void grafanaLoadsProvisionedDashboard() {
		assertThat(volumes("grafana")).contains("./grafana/provisioning:/etc/grafana/provisioning:ro");

		String providersFile = "grafana/provisioning/dashboards/booking-monitor.yaml";
		Map<String, Object> provider = map(
				list(yaml(providersFile).get("providers"), providersFile + " providers").get(0), providersFile);
		String path = String.valueOf(map(provider.get("options"), providersFile + " options").get("path"));
		assertThat(path).startsWith("/etc/grafana/provisioning/");
		Path folder = file("grafana/provisioning/" + path.substring("/etc/grafana/provisioning/".length()));
		assertThat(folder.resolve("booking-monitor.json")).isRegularFile();

		String datasourcesFile = DashboardPanel.DATASOURCES_FILE;
		Map<String, Object> datasource = map(
				list(yaml(datasourcesFile).get("datasources"), datasourcesFile + " datasources").get(0),
				datasourcesFile);
		assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
		assertThat(volumes("prometheus")).contains("./prometheus:/etc/prometheus:ro");
	}

	@Test
	void loadProfileRunsK6Scripts() {
		Map<String, Object> k6 = services().get("k6");
		List<Object> command = list(k6.get("command"), "k6.command");

		assertThat(k6.get("profiles")).isEqualTo(List.of("load"));
		assertThat(String.valueOf(k6.get("image"))).startsWith("grafana/k6:");
		assertThat(volumes("k6")).contains("./k6:/scripts:ro");
		assertThat(command.get(0)).isEqualTo("run");
		assertThat(String.valueOf(command.get(1))).startsWith("/scripts/");
		assertThat(file("k6/" + String.valueOf(command.get(1)).substring("/scripts/".length()))).isRegularFile();
		assertThat(environment("k6").get("BASE_URL")).isEqualTo("http://booking-api:" + actuatorPort("booking-api"));
	}

	private static Map<String, Map<String, Object>> services() {
		Map<String, Map<String, Object>> services = new LinkedHashMap<>();
		map(yaml(COMPOSE_FILE).get("services"), "services")
			.forEach((name, service) -> services.put(name, map(service, "services." + name)));
		return services;
	}

	/** Returns a service's volumes in the short form {@code source:target[:mode]}. */
	private static List<String> volumes(String service) {
		Object volumes = services().get(service).get("volumes");
		return (volumes != null) ? list(volumes, service + ".volumes").stream().map(String::valueOf).toList()
				: List.of();
	}

	private static Map<String, Object> environment(String service) {
		return map(services().get(service).get("environment"), service + ".environment");
	}

	private static List<String> dependencies(String service) {
		return List.copyOf(map(services().get(service).get("depends_on"), service + ".depends_on").keySet());
	}

	private static String healthCheck(String service) {
		Map<String, Object> healthcheck = map(services().get(service).get("healthcheck"), service + ".healthcheck");
		return String.join(" ",
				list(healthcheck.get("test"), service + ".healthcheck.test").stream().map(String::valueOf).toList());
	}

	private static List<String> prometheusTargets() {
		String file = "prometheus/prometheus.yml";
		return list(yaml(file).get("scrape_configs"), file).stream()
			.flatMap((config) -> list(map(config, file).get("static_configs"), file).stream())
			.flatMap((staticConfig) -> list(map(staticConfig, file).get("targets"), file).stream())
			.map(String::valueOf)
			.toList();
	}

	/**
	 * Returns the port of a service's actuator from its application.yaml:
	 * {@code management.server.port} when set, else {@code server.port}.
	 */
	private static int actuatorPort(String module) {
		String file = module + "/src/main/resources/application.yaml";
		Map<String, Object> configuration = yaml(file);
		Object managementPort = nested(configuration, "management", "server", "port");
		Object port = (managementPort != null) ? managementPort : nested(configuration, "server", "port");
		assertThat(port).as("server.port in %s", file).isNotNull();
		return Integer.parseInt(String.valueOf(port));
	}

	private static Object nested(Map<String, Object> map, String... keys) {
		Object value = map;
		for (String key : keys) {
			if (!(value instanceof Map<?, ?> level)) {
				return null;
			}
			value = level.get(key);
		}
		return value;
	}

	private static String xpath(String file, String expression) throws Exception {
		Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file(file).toFile());
		return XPathFactory.newInstance().newXPath().evaluate(expression, document).trim();
	}

}
