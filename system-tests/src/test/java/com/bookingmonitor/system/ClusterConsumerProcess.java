package com.bookingmonitor.system;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.bookingmonitor.consumer.OrderConsumerApplication;

import static org.awaitility.Awaitility.await;

/**
 * order-consumer as a child JVM, so that a test can kill it with SIGKILL. It runs the
 * test classpath without this module's test classes, on a random HTTP port, and reads
 * only order-consumer's own {@code application.yaml}: booking-api's is on the same
 * classpath.
 */
final class ClusterConsumerProcess implements AutoCloseable {

	private final Process process;

	private final List<String> output = new CopyOnWriteArrayList<>();

	private final Thread outputReader;

	private ClusterConsumerProcess(Process process) {
		this.process = process;
		this.outputReader = Thread.ofPlatform().daemon().name("cluster-consumer-output").start(this::pumpOutput);
	}

	/**
	 * Starts the consumer.
	 * @param arguments Spring Boot arguments, for example
	 * {@code --booking.consumer.name=a}
	 */
	static ClusterConsumerProcess start(List<String> arguments) {
		String java = ProcessHandle.current().info().command().orElseThrow();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
				applicationClasspath(), OrderConsumerApplication.class.getName(), "--server.port=0",
				"--spring.config.location=" + ownConfigFile()));
		command.addAll(arguments);
		try {
			return new ClusterConsumerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to start the consumer process: " + command, ex);
		}
	}

	long pid() {
		return this.process.pid();
	}

	/** Waits until an output line contains the text, or fails with the output so far. */
	void awaitLine(String text, Duration timeout) {
		await().atMost(timeout)
			.failFast("consumer pid " + pid() + " exited", () -> !this.process.isAlive())
			.until(() -> this.output.stream().anyMatch((line) -> line.contains(text)));
	}

	/** Sends SIGKILL and waits for the process to end. */
	void kill() {
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Consumer pid " + pid() + " did not exit within 30 s of SIGKILL");
			}
			// The last lines may still be in the pipe when the process has ended.
			this.outputReader.join(Duration.ofSeconds(10));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for consumer pid " + pid() + " to exit", ex);
		}
	}

	List<String> output() {
		return List.copyOf(this.output);
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			kill();
		}
	}

	private void pumpOutput() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.output.add(line);
			}
		}
		catch (IOException ex) {
			// The process ended and its pipe is closed.
		}
	}

	/**
	 * Returns the test classpath without test-classes folders: the child's component scan
	 * must not find test configurations.
	 */
	private static String applicationClasspath() {
		// Surefire runs tests from a manifest-only jar. This property has the full path.
		String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		return Arrays.stream(classpath.split(File.pathSeparator))
			.filter((entry) -> !Path.of(entry).endsWith(Path.of("target", "test-classes")))
			.collect(Collectors.joining(File.pathSeparator));
	}

	private static String ownConfigFile() {
		String codeSource = OrderConsumerApplication.class.getProtectionDomain()
			.getCodeSource()
			.getLocation()
			.toString();
		try {
			return Collections.list(OrderConsumerApplication.class.getClassLoader().getResources("application.yaml"))
				.stream()
				.map(URL::toString)
				.filter((url) -> url.contains(codeSource))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("No application.yaml in " + codeSource));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to find order-consumer's application.yaml", ex);
		}
	}

}
