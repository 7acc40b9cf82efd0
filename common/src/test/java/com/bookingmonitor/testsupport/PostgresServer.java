package com.bookingmonitor.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster owned by one test, for tests that stop and start the database. It
 * lives in a temporary folder, listens on a free port on 127.0.0.1 and is started with
 * initdb and pg_ctl. PostgreSQL refuses to run as root, so when the test runs as root the
 * commands run as the {@code postgres} user through {@code runuser}.
 */
public final class PostgresServer implements AutoCloseable {

	private static final List<String> BINARY_FOLDERS = List.of("/usr/local/bin", "/usr/lib/postgresql/17/bin",
			"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin");

	private final Path directory;

	private final Path dataDirectory;

	private final int port;

	private final Path pgCtl;

	private PostgresServer(Path directory, int port, Path pgCtl) {
		this.directory = directory;
		this.dataDirectory = directory.resolve("data");
		this.port = port;
		this.pgCtl = pgCtl;
	}

	public static PostgresServer create() {
		String hint = "install PostgreSQL 15 with 'apt-get install postgresql'";
		Path initdb = Executables.require("initdb", BINARY_FOLDERS, hint);
		Path pgCtl = Executables.require("pg_ctl", BINARY_FOLDERS, hint);
		try {
			Path directory = Files.createTempDirectory("bm-postgres-");
			PostgresServer server = new PostgresServer(directory, FreePorts.find(), pgCtl);
			if (isRoot()) {
				run(List.of("chown", "-R", "postgres:postgres", directory.toString()), false);
			}
			server.runAsOwner(List.of(initdb.toString(), "-D", server.dataDirectory.toString(), "-U", "postgres",
					"--auth=trust", "--no-sync", "-E", "UTF8"));
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to create a folder for a test PostgreSQL", ex);
		}
	}

	public int port() {
		return this.port;
	}

	/** JDBC URL of the {@code postgres} maintenance database. */
	public String adminJdbcUrl() {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres";
	}

	/** Stops the server at once, as a crash would: {@code pg_ctl stop -m immediate}. */
	public void stop() {
		runAsOwner(
				List.of(this.pgCtl.toString(), "-D", this.dataDirectory.toString(), "-m", "immediate", "-w", "stop"));
	}

	public void start() {
		runAsOwner(List.of(this.pgCtl.toString(), "-D", this.dataDirectory.toString(), "-w", "-t", "60", "-l",
				this.directory.resolve("postgres.log").toString(), "-o",
				"-p " + this.port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + this.directory
						+ " -c fsync=off -c max_connections=50",
				"start"));
	}

	@Override
	public void close() {
		try {
			stop();
		}
		catch (IllegalStateException ex) {
			// Already stopped.
		}
		RedisServer.deleteQuietly(this.directory);
	}

	private void runAsOwner(List<String> command) {
		List<String> full = new ArrayList<>();
		if (isRoot()) {
			full.addAll(List.of("runuser", "-u", "postgres", "--"));
		}
		full.addAll(command);
		run(full, true);
	}

	private static void run(List<String> command, boolean checkExit) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(90, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("Timed out after 90 s: " + command);
			}
			if (checkExit && process.exitValue() != 0) {
				throw new IllegalStateException(
						"Command failed with exit code " + process.exitValue() + ": " + command + "\n" + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

}
