package com.bookingmonitor.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server process owned by one test: its own free port on 127.0.0.1 and its own
 * data folder. It can be killed with SIGKILL and restarted on the same port and folder,
 * so AOF files survive the restart. Stopped by PID, never by name.
 */
public final class RedisServer implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private final Path executable;

	private final Path directory;

	private final int port;

	private final List<String> arguments;

	private Process process;

	private RedisServer(Path executable, Path directory, int port, List<String> arguments) {
		this.executable = executable;
		this.directory = directory;
		this.port = port;
		this.arguments = arguments;
	}

	/** Starts a Redis that keeps nothing on disk. */
	public static RedisServer start() {
		return start(null, "--save", "", "--appendonly", "no");
	}

	/**
	 * Starts a Redis with a configuration file and extra arguments, which override the
	 * file.
	 * @param configFile a redis.conf to load, or null
	 */
	public static RedisServer start(Path configFile, String... extraArguments) {
		Path executable = Executables.require("redis-server", List.of("/usr/bin", "/usr/local/bin"),
				"install it with 'apt-get install redis-server' (Redis 7)");
		try {
			Path directory = Files.createTempDirectory("bm-redis-");
			int port = FreePorts.find();
			List<String> arguments = new ArrayList<>();
			if (configFile != null) {
				arguments.add(configFile.toAbsolutePath().toString());
			}
			arguments.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir",
					directory.toString(), "--daemonize", "no", "--protected-mode", "no", "--logfile",
					directory.resolve("redis.log").toString()));
			arguments.addAll(List.of(extraArguments));
			RedisServer server = new RedisServer(executable, directory, port, List.copyOf(arguments));
			server.launch();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to create a data folder for redis-server", ex);
		}
	}

	public String host() {
		return "127.0.0.1";
	}

	public int port() {
		return this.port;
	}

	public String uri() {
		return "redis://127.0.0.1:" + this.port;
	}

	public Path directory() {
		return this.directory;
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/** Kills the process with SIGKILL and waits for it to exit. */
	public void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			waitForExit();
		}
	}

	/**
	 * Stops the process with SIGTERM, which lets Redis write its AOF, and waits for it to
	 * exit.
	 */
	public void stop() {
		if (this.process != null) {
			this.process.destroy();
			waitForExit();
		}
	}

	/**
	 * Starts the server again on the same port and data folder after {@link #kill()} or
	 * {@link #stop()}.
	 */
	public void restart() {
		if (isRunning()) {
			throw new IllegalStateException("redis-server pid " + pid() + " is still running on port " + this.port);
		}
		launch();
	}

	@Override
	public void close() {
		kill();
		deleteQuietly(this.directory);
	}

	private void launch() {
		List<String> command = new ArrayList<>();
		command.add(this.executable.toString());
		command.addAll(this.arguments);
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("stdout.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to start " + command, ex);
		}
		awaitPing();
	}

	private void awaitPing() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server on port " + this.port + " exited with "
						+ this.process.exitValue() + "; see " + this.directory.resolve("redis.log"));
			}
			if (ping()) {
				return;
			}
			sleepBriefly();
		}
		kill();
		throw new IllegalStateException("redis-server on port " + this.port + " did not answer PING within "
				+ START_TIMEOUT + "; see " + this.directory.resolve("redis.log"));
	}

	private boolean ping() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = in.readNBytes(7);
			return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void waitForExit() {
		try {
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static void sleepBriefly() {
		try {
			Thread.sleep(50);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a test server", ex);
		}
	}

	static void deleteQuietly(Path directory) {
		try (var paths = Files.walk(directory)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary folder does not fail a test.
		}
	}

}
