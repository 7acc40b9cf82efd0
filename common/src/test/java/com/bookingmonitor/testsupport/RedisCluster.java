package com.bookingmonitor.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of test-owned redis-server processes on free ports of 127.0.0.1, one
 * master per node and no replicas, created with {@code redis-cli --cluster create}. The
 * masters get equal contiguous slot ranges. Closing it kills every node by PID.
 */
public final class RedisCluster implements AutoCloseable {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

	private final List<RedisServer> nodes;

	private RedisCluster(List<RedisServer> nodes) {
		this.nodes = nodes;
	}

	/**
	 * Starts {@code masters} nodes and joins them into one cluster that covers all slots.
	 */
	public static RedisCluster start(int masters) {
		if (masters < 3) {
			throw new IllegalArgumentException("Invalid master count " + masters + ": redis-cli needs at least 3");
		}
		List<RedisServer> nodes = new ArrayList<>();
		try {
			for (int i = 0; i < masters; i++) {
				nodes.add(RedisServer.start(null, "--save", "", "--appendonly", "no", "--cluster-enabled", "yes",
						"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
			}
			RedisCluster cluster = new RedisCluster(List.copyOf(nodes));
			cluster.create();
			cluster.awaitReady();
			return cluster;
		}
		catch (RuntimeException ex) {
			nodes.forEach(RedisServer::close);
			throw ex;
		}
	}

	public List<RedisServer> nodes() {
		return this.nodes;
	}

	/** Seed nodes as {@code host:port}, for {@code spring.data.redis.cluster.nodes}. */
	public String seedNodes() {
		return String.join(",", this.nodes.stream().map(node -> node.host() + ":" + node.port()).toList());
	}

	@Override
	public void close() {
		this.nodes.forEach(RedisServer::close);
	}

	private void create() {
		List<String> command = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
		this.nodes.forEach(node -> command.add(node.host() + ":" + node.port()));
		command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
		String output = run(command);
		if (!output.contains("[OK] All 16384 slots covered")) {
			throw new IllegalStateException("redis-cli --cluster create did not cover all slots:\n" + output);
		}
	}

	private void awaitReady() {
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			boolean allReady = this.nodes.stream()
				.allMatch(node -> run(List.of(redisCli(), "-p", Integer.toString(node.port()), "cluster", "info"))
					.contains("cluster_state:ok"));
			if (allReady) {
				return;
			}
			RedisServer.sleepBriefly();
		}
		throw new IllegalStateException(
				"Redis Cluster on " + seedNodes() + " did not reach cluster_state:ok within " + READY_TIMEOUT);
	}

	private static String redisCli() {
		return Executables
			.require("redis-cli", List.of("/usr/bin", "/usr/local/bin"),
					"install it with 'apt-get install redis-tools'")
			.toString();
	}

	private static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("Timed out after 60 s: " + command);
			}
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
	}

}
