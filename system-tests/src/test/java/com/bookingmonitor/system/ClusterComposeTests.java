package com.bookingmonitor.system;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.bookingmonitor.system.ComposeProject.list;
import static com.bookingmonitor.system.ComposeProject.map;
import static com.bookingmonitor.system.ComposeProject.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the {@code cluster} profile of docker-compose.yml without a Docker engine: three
 * cluster nodes, the one-shot service that joins them, and both services configured with
 * exactly those nodes and otherwise like their single-Redis counterparts.
 */
class ClusterComposeTests {

	private static final List<String> NODES = List.of("redis-cluster-1", "redis-cluster-2", "redis-cluster-3");

	private static final Map<String, String> CLUSTER_SERVICES = Map.of("booking-api-cluster", "booking-api",
			"order-consumer-cluster", "order-consumer");

	@Test
	void nodesRunInClusterMode() {
		for (String node : NODES) {
			Map<String, Object> service = services().get(node);
			List<String> command = strings(service.get("command"), node + ".command");

			assertThat(service.get("profiles")).as("profiles of %s", node).isEqualTo(List.of("cluster"));
			assertThat(String.valueOf(service.get("image"))).as("image of %s", node).startsWith("redis:7");
			assertThat(String.join(" ", command)).as("command of %s", node).contains("--cluster-enabled yes");
			assertThat(command).as("command of %s", node).startsWith("redis-server", "/usr/local/etc/redis/redis.conf");
			assertThat(healthCheck(node)).as("health check of %s", node).contains("cluster_state:ok");
		}
	}

	@Test
	void createJoinsEveryNode() {
		Map<String, Object> create = services().get("redis-cluster-create");
		String script = String.join(" ", strings(create.get("command"), "redis-cluster-create.command"));

		assertThat(create.get("profiles")).isEqualTo(List.of("cluster"));
		assertThat(create.get("restart")).isEqualTo("no");
		assertThat(script).contains("redis-cli --cluster create", "--cluster-replicas 0", "--cluster-yes");
		for (String node : NODES) {
			assertThat(script).as("create script waits for and joins %s", node).contains(node);
		}
	}

	@Test
	void servicesUseEveryClusterNode() {
		String seedNodes = String.join(",", NODES.stream().map((node) -> node + ":6379").toList());

		for (String name : CLUSTER_SERVICES.keySet()) {
			Map<String, Object> service = services().get(name);
			Map<String, Object> environment = environment(name);

			assertThat(service.get("profiles")).as("profiles of %s", name).isEqualTo(List.of("cluster"));
			assertThat(environment.get("SPRING_DATA_REDIS_CLUSTER_NODES")).as("seed nodes of %s", name)
				.isEqualTo(seedNodes);
			assertThat(map(service.get("depends_on"), name + ".depends_on")).as("dependencies of %s", name)
				.containsOnlyKeys("redis-cluster-1", "redis-cluster-2", "redis-cluster-3", "postgres");
		}
	}

	@Test
	void servicesMatchSingleRedisCounterparts() {
		CLUSTER_SERVICES.forEach((name, single) -> {
			Map<String, Object> service = services().get(name);
			Map<String, Object> singleService = services().get(single);
			Map<String, Object> environment = new LinkedHashMap<>(environment(name));
			environment.remove("SPRING_DATA_REDIS_CLUSTER_NODES");

			assertThat(service.get("build")).as("build of %s", name).isEqualTo(singleService.get("build"));
			assertThat(environment).as("environment of %s", name).isEqualTo(environment(single));
			assertThat(healthCheck(name)).as("health check of %s", name).isEqualTo(healthCheck(single));
			assertThat(containerPorts(name)).as("container ports of %s", name).isEqualTo(containerPorts(single));
			assertThat(publishedPorts(name)).as("published ports of %s", name)
				.doesNotContainAnyElementsOf(publishedPorts(single));
		});
	}

	private static Map<String, Map<String, Object>> services() {
		Map<String, Map<String, Object>> services = new LinkedHashMap<>();
		map(yaml("docker-compose.yml").get("services"), "services")
			.forEach((name, service) -> services.put(name, map(service, "services." + name)));
		return services;
	}

	private static Map<String, Object> environment(String service) {
		return map(services().get(service).get("environment"), service + ".environment");
	}

	private static String healthCheck(String service) {
		Map<String, Object> healthcheck = map(services().get(service).get("healthcheck"), service + ".healthcheck");
		return String.join(" ", strings(healthcheck.get("test"), service + ".healthcheck.test"));
	}

	/** Returns the container side of each {@code host:port:containerPort} mapping. */
	private static List<String> containerPorts(String service) {
		return ports(service).stream().map((port) -> port.substring(port.lastIndexOf(':') + 1)).toList();
	}

	/** Returns the {@code host:port} side of each mapping. */
	private static List<String> publishedPorts(String service) {
		return ports(service).stream().map((port) -> port.substring(0, port.lastIndexOf(':'))).toList();
	}

	private static List<String> ports(String service) {
		return strings(services().get(service).get("ports"), service + ".ports");
	}

	private static List<String> strings(Object value, String where) {
		return list(value, where).stream().map(String::valueOf).toList();
	}

}
