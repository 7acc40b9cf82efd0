package com.bookingmonitor.consumer.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.bookingmonitor.consumer.OrderConsumerApplication;

/**
 * The order consumer as a child JVM, so a test can kill it with SIGKILL. It runs the test
 * classpath with the same Java binary as the test, on a random HTTP port.
 */
public final class ConsumerProcess implements AutoCloseable {

	private static final String END_OF_OUTPUT = "\u0000end of output";

	private final Process process;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private final List<String> output = new CopyOnWriteArrayList<>();

	private final Thread outputReader;

	private ConsumerProcess(Process process) {
		this.process = process;
		this.outputReader = Thread.ofPlatform().daemon().name("consumer-process-output").start(this::pumpOutput);
	}

	/**
	 * Starts the consumer.
	 * @param arguments Spring Boot arguments, for example
	 * {@code --booking.consumer.name=a}
	 */
	public static ConsumerProcess start(List<String> arguments) {
		String java = ProcessHandle.current().info().command().orElseThrow();
		String classpath = applicationClasspath();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
				OrderConsumerApplication.class.getName(), "--server.port=0"));
		command.addAll(arguments);
		try {
			return new ConsumerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to start the consumer process: " + command, ex);
		}
	}

	/**
	 * Returns the test classpath without the module's test classes: component scanning
	 * would pick up their test configurations and start test servers in the child.
	 */
	private static String applicationClasspath() {
		// Surefire runs tests from a manifest-only jar; this property has the full path.
		String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		return Arrays.stream(classpath.split(File.pathSeparator))
			.filter(entry -> !Path.of(entry).endsWith(Path.of("target", "test-classes")))
			.collect(Collectors.joining(File.pathSeparator));
	}

	public long pid() {
		return this.process.pid();
	}

	/**
	 * Waits for an output line that contains the text.
	 * @throws IllegalStateException when the process ends or the timeout passes first
	 */
	public String awaitLine(String text, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			while (true) {
				String line = this.lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				if (line == null || END_OF_OUTPUT.equals(line)) {
					throw new IllegalStateException("No output line containing '" + text + "' within " + timeout
							+ " from consumer pid " + pid() + "; output:\n" + String.join("\n", this.output));
				}
				if (line.contains(text)) {
					return line;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for consumer output", ex);
		}
	}

	/** Sends SIGKILL and waits for the process to end. */
	public void kill() {
		this.process.destroyForcibly();
		awaitExit();
	}

	/**
	 * Sends SIGTERM, which runs a graceful shutdown, and waits for the process to end.
	 */
	public int stop() {
		// Process.destroy() would also close the output pipe and lose the shutdown log.
		this.process.toHandle().destroy();
		return awaitExit();
	}

	public List<String> output() {
		return List.copyOf(this.output);
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			kill();
		}
	}

	private int awaitExit() {
		try {
			if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			// The last lines may still be in the pipe when the process has ended.
			this.outputReader.join(Duration.ofSeconds(10));
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for consumer pid " + pid() + " to exit", ex);
		}
	}

	private void pumpOutput() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.output.add(line);
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// The process ended; its pipe is closed.
		}
		this.lines.add(END_OF_OUTPUT);
	}

}
