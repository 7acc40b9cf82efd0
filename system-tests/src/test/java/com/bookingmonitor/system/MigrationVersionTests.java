package com.bookingmonitor.system;

import java.io.IOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema the services run on is the newest one the build ships: Flyway applied every
 * migration in common's {@code db/migration} at start-up, the newest last.
 */
class MigrationVersionTests {

	/** Flyway's versioned migration names, such as {@code V2__dead_letters.sql}. */
	private static final Pattern VERSIONED_MIGRATION = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__.+\\.sql");

	@Test
	void newestMigrationIsApplied() throws Exception {
		List<String> shipped = shippedVersions();
		assertThat(shipped).isNotEmpty();

		try (RedisServer redis = RedisServer.start();
				PostgresDatabase database = PostgresDatabase.create();
				SystemUnderTest system = SystemUnderTest.start(redis, database)) {
			List<String> applied = appliedVersions(database);

			assertThat(applied).isNotEmpty();
			assertThat(applied.getLast()).isEqualTo(shipped.getLast());
			assertThat(applied).containsExactlyElementsOf(shipped);
		}
	}

	/**
	 * Versions of the migration files on the classpath, oldest first, in the form Flyway
	 * records them.
	 */
	private static List<String> shippedVersions() throws IOException {
		Resource[] files = new PathMatchingResourcePatternResolver().getResources("classpath*:db/migration/*.sql");
		List<String> versions = new ArrayList<>();
		for (Resource file : files) {
			Matcher matcher = VERSIONED_MIGRATION.matcher(file.getFilename());
			if (matcher.matches()) {
				versions.add(matcher.group(1).replace('_', '.'));
			}
		}
		versions.sort(Comparator.comparing(MigrationVersionTests::versionParts, MigrationVersionTests::compareParts));
		return versions;
	}

	/**
	 * Versions of the successful migrations in Flyway's history, in the order applied.
	 */
	private static List<String> appliedVersions(PostgresDatabase database) throws SQLException {
		List<String> versions = new ArrayList<>();
		try (Connection connection = database.connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT version FROM flyway_schema_history"
						+ " WHERE success AND version IS NOT NULL ORDER BY installed_rank")) {
			while (rows.next()) {
				versions.add(rows.getString("version"));
			}
		}
		return versions;
	}

	private static List<BigInteger> versionParts(String version) {
		return Arrays.stream(version.split("\\.")).map(BigInteger::new).toList();
	}

	/** Orders versions part by part as numbers, so 10 comes after 9 and 1.1 after 1. */
	private static int compareParts(List<BigInteger> left, List<BigInteger> right) {
		for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
			int result = left.get(i).compareTo(right.get(i));
			if (result != 0) {
				return result;
			}
		}
		return Integer.compare(left.size(), right.size());
	}

}
