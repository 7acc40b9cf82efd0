package com.bookingmonitor.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the server binaries that tests start. */
final class Executables {

	private Executables() {
	}

	/** Finds a program on PATH or in the extra folders, in that order. */
	static Optional<Path> find(String name, List<String> extraFolders) {
		String path = System.getenv().getOrDefault("PATH", "");
		return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), extraFolders.stream())
			.filter(folder -> !folder.isBlank())
			.map(folder -> Path.of(folder, name))
			.filter(Files::isExecutable)
			.findFirst();
	}

	static Path require(String name, List<String> extraFolders, String installHint) {
		return find(name, extraFolders).orElseThrow(() -> new IllegalStateException(
				name + " not found on PATH or in " + extraFolders + ": " + installHint));
	}

}
