package com.bookingmonitor.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh, empty PostgreSQL database for one test class, dropped on close.
 *
 * <p>
 * It is created on the server named by {@code BM_TEST_POSTGRES_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}, user {@code BM_TEST_POSTGRES_USER},
 * default {@code postgres}, password {@code BM_TEST_POSTGRES_PASSWORD}). When that server
 * cannot be reached and a Docker engine can, a PostgreSQL container is started instead.
 * When neither works the test fails: it never skips.
 */
public final class PostgresDatabase implements AutoCloseable {

	private final String jdbcUrl;

	private final String username;

	private final String password;

	private final Runnable cleanup;

	private PostgresDatabase(String jdbcUrl, String username, String password, Runnable cleanup) {
		this.jdbcUrl = jdbcUrl;
		this.username = username;
		this.password = password;
		this.cleanup = cleanup;
	}

	public static PostgresDatabase create() {
		String adminUrl = env("BM_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
		String username = env("BM_TEST_POSTGRES_USER", "postgres");
		String password = env("BM_TEST_POSTGRES_PASSWORD", "");
		try {
			return createOn(adminUrl, username, password);
		}
		catch (SQLException ex) {
			if (dockerAvailable()) {
				return startContainer();
			}
			throw new IllegalStateException("PostgreSQL at " + adminUrl + " (user " + username
					+ ") is not reachable and no Docker engine is available: start PostgreSQL 15 there"
					+ " or set BM_TEST_POSTGRES_URL", ex);
		}
	}

	/**
	 * Creates a database on a given server, for example a test-owned
	 * {@link PostgresServer}.
	 */
	public static PostgresDatabase createOn(String adminUrl, String username, String password) throws SQLException {
		String name = "bm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
		try (Connection connection = DriverManager.getConnection(adminUrl, username, password);
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
		return new PostgresDatabase(url, username, password, () -> drop(adminUrl, username, password, name));
	}

	public String jdbcUrl() {
		return this.jdbcUrl;
	}

	public String username() {
		return this.username;
	}

	public String password() {
		return this.password;
	}

	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
	}

	@Override
	public void close() {
		this.cleanup.run();
	}

	private static void drop(String adminUrl, String username, String password, String name) {
		try (Connection connection = DriverManager.getConnection(adminUrl, username, password);
				Statement statement = connection.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		}
		catch (SQLException ex) {
			// The server may be gone already, for example a test-owned one that was
			// stopped.
		}
	}

	private static PostgresDatabase startContainer() {
		PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
		container.start();
		return new PostgresDatabase(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
				container::stop);
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isBlank()) ? fallback : value.trim();
	}

}
