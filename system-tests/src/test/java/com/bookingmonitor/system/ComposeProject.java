package com.bookingmonitor.system;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads repository files. The repository root is also the docker compose project folder,
 * which relative paths in docker-compose.yml start from.
 */
final class ComposeProject {

	private static final Path ROOT = findRoot();

	private ComposeProject() {
	}

	static Path root() {
		return ROOT;
	}

	/**
	 * Resolves a path relative to the repository root, such as
	 * {@code prometheus/alerts.yml}.
	 */
	static Path file(String relativePath) {
		return ROOT.resolve(relativePath).normalize();
	}

	static Map<String, Object> yaml(String relativePath) {
		try (Reader reader = Files.newBufferedReader(file(relativePath))) {
			return map(new Yaml().load(reader), relativePath);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to read " + file(relativePath), ex);
		}
	}

	static JsonNode json(String relativePath) {
		return JsonMapper.builder().build().readTree(file(relativePath).toFile());
	}

	/**
	 * Casts a parsed YAML value to a mapping. {@code where} names the value in the error.
	 */
	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object value, String where) {
		if (!(value instanceof Map<?, ?>)) {
			throw new IllegalStateException("Expected a mapping at " + where + ", got " + value);
		}
		return (Map<String, Object>) value;
	}

	/**
	 * Casts a parsed YAML value to a sequence. {@code where} names the value in the
	 * error.
	 */
	@SuppressWarnings("unchecked")
	static List<Object> list(Object value, String where) {
		if (!(value instanceof List<?>)) {
			throw new IllegalStateException("Expected a sequence at " + where + ", got " + value);
		}
		return (List<Object>) value;
	}

	/**
	 * Finds the repository root above the working folder: Surefire runs the tests in
	 * system-tests/, and an IDE may run them in the root itself.
	 */
	private static Path findRoot() {
		Path start = Path.of("").toAbsolutePath();
		for (Path folder = start; folder != null; folder = folder.getParent()) {
			if (Files.isRegularFile(folder.resolve("mvnw")) && Files.isDirectory(folder.resolve("system-tests"))) {
				return folder;
			}
		}
		throw new IllegalStateException("No repository root (a folder with mvnw and system-tests/) above " + start);
	}

}
