package com.bookingmonitor.api.web;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemTypeTests {

	@Test
	void everyTypeHasItsOwnUri() {
		assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::type)).doesNotHaveDuplicates();
	}

	@Test
	void typesAreDocumented() throws java.io.IOException {
		String apiDocs = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/api.md"));

		for (ProblemType type : ProblemType.values()) {
			assertThat(apiDocs).as(type.name()).contains(type.type().toString());
		}
	}

}
