package com.bookingmonitor.api.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script read from the class path, with the SHA-1 digest that EVALSHA names it by.
 *
 * @param source the script text
 * @param sha1 lower-case hex SHA-1 of the UTF-8 text, as Redis computes it
 */
public record LuaScript(String source, String sha1) {

	public static LuaScript load(String classPathLocation) {
		try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(classPathLocation)) {
			if (in == null) {
				throw new IllegalStateException("Lua script " + classPathLocation + " not found on the class path");
			}
			String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return new LuaScript(source, sha1Hex(source));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to read Lua script " + classPathLocation, ex);
		}
	}

	private static String sha1Hex(String source) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is missing from this JVM", ex);
		}
	}

}
