package com.bookingmonitor.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.bookingmonitor.api.BookingApiApplication;
import com.bookingmonitor.consumer.OrderConsumerApplication;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * booking-api and order-consumer, each in its own Spring application context in the test
 * JVM, on random ports of 127.0.0.1, connected to a test's Redis and PostgreSQL database.
 *
 * <p>
 * Both service jars contain an {@code application.yaml} at the root of the classpath, and
 * a plain start would read whichever comes first for both services. Each context
 * therefore reads only the configuration files of its own jar or classes folder.
 */
public final class SystemUnderTest implements AutoCloseable {

	private static final List<String> CONFIG_FILES = List.of("application.properties", "application.yaml",
			"application.yml");

	private final ConfigurableApplicationContext api;

	private final ConfigurableApplicationContext consumer;

	private SystemUnderTest(ConfigurableApplicationContext api, ConfigurableApplicationContext consumer) {
		this.api = api;
		this.consumer = consumer;
	}

	/** Starts both services with their default settings. */
	public static SystemUnderTest start(RedisServer redis, PostgresDatabase database) {
		return start(redis, database, Map.of());
	}

	/**
	 * Starts booking-api, then order-consumer, and returns once both are ready.
	 * @param properties Spring properties for both services, which override the defaults
	 * and the connection settings, for example {@code booking.api.max-tickets-per-user}
	 */
	public static SystemUnderTest start(RedisServer redis, PostgresDatabase database, Map<String, Object> properties) {
		Map<String, Object> shared = new HashMap<>();
		shared.put("server.port", 0);
		shared.put("spring.data.redis.host", redis.host());
		shared.put("spring.data.redis.port", redis.port());
		// Lettuce runs the connection handshake under the command timeout, and the
		// services' 500 ms failed a start-up on a busy 2-core machine.
		shared.put("spring.data.redis.timeout", "2s");
		shared.put("spring.datasource.url", database.jdbcUrl());
		shared.put("spring.datasource.username", database.username());
		shared.put("spring.datasource.password", database.password());
		shared.putAll(properties);

		// booking-api first, so only its Flyway run migrates the schema and the
		// consumer's
		// finds it up to date.
		ConfigurableApplicationContext api = run(BookingApiApplication.class, shared);
		try {
			return new SystemUnderTest(api, run(OrderConsumerApplication.class, shared));
		}
		catch (RuntimeException ex) {
			api.close();
			throw ex;
		}
	}

	/** Base URL of booking-api, such as {@code http://127.0.0.1:41234}. */
	public String apiBaseUrl() {
		return "http://127.0.0.1:" + this.api.getEnvironment().getRequiredProperty("local.server.port");
	}

	/**
	 * Base URL of order-consumer's actuator, such as {@code http://127.0.0.1:41235}: its
	 * management port when a test's properties set one, else its server port.
	 */
	public String consumerBaseUrl() {
		String port = this.consumer.getEnvironment().getProperty("local.management.port");
		if (port == null) {
			port = this.consumer.getEnvironment().getRequiredProperty("local.server.port");
		}
		return "http://127.0.0.1:" + port;
	}

	/** booking-api's application context, for tests that need one of its beans. */
	public ConfigurableApplicationContext api() {
		return this.api;
	}

	/** order-consumer's application context, for tests that need one of its beans. */
	public ConfigurableApplicationContext consumer() {
		return this.consumer;
	}

	/** Stops order-consumer, then booking-api. */
	@Override
	public void close() {
		try {
			this.consumer.close();
		}
		finally {
			this.api.close();
		}
	}

	/**
	 * Starts one service. The properties go in as command-line arguments, because those
	 * override the service's configuration files, which default properties do not.
	 */
	private static ConfigurableApplicationContext run(Class<?> application, Map<String, Object> properties) {
		List<String> arguments = new ArrayList<>();
		arguments.add("--spring.config.location=" + String.join(",", ownConfigFiles(application)));
		properties.forEach((name, value) -> arguments.add("--" + name + "=" + value));
		return new SpringApplicationBuilder(application).main(application).run(arguments.toArray(String[]::new));
	}

	/**
	 * Lists the URLs of the configuration files that lie next to the application class,
	 * in its jar or classes folder, and not in another module on the classpath.
	 */
	private static List<String> ownConfigFiles(Class<?> application) {
		String codeSource = application.getProtectionDomain().getCodeSource().getLocation().toString();
		List<String> files = new ArrayList<>();
		try {
			for (String name : CONFIG_FILES) {
				for (URL url : Collections.list(application.getClassLoader().getResources(name))) {
					if (url.toString().contains(codeSource)) {
						files.add(url.toString());
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to list the configuration files of " + application.getName(), ex);
		}
		if (files.isEmpty()) {
			throw new IllegalStateException("No " + CONFIG_FILES + " found in " + codeSource);
		}
		return files;
	}

}
