package com.bookingmonitor.consumer.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * The acknowledgement script, {@code acknowledge.lua}: XACK, HDEL of pending bookings and
 * guarded ticket returns in one atomic call. All its keys carry the partition's hash tag,
 * so it runs unchanged on a Redis Cluster.
 */
final class AckScript {

	private static final String SOURCE = load("acknowledge.lua");

	private static final String SHA = sha1(SOURCE);

	private AckScript() {
	}

	static Acknowledgement.Result run(RedisClusterCommands<String, String> redis, String stream, String pendingBookings,
			String group, Acknowledgement acknowledgement) {
		List<String> keys = new ArrayList<>(2 + acknowledgement.ticketReturns().size());
		keys.add(stream);
		keys.add(pendingBookings);
		List<String> arguments = new ArrayList<>();
		arguments.add(group);
		arguments.add(Integer.toString(acknowledgement.entryIds().size()));
		arguments.addAll(acknowledgement.entryIds());
		arguments.add(Integer.toString(acknowledgement.removedBookingIds().size()));
		arguments.addAll(acknowledgement.removedBookingIds());
		for (Acknowledgement.TicketReturn ticketReturn : acknowledgement.ticketReturns()) {
			keys.add(ticketReturn.inventoryKey());
			arguments.add(ticketReturn.bookingId());
			arguments.add(Integer.toString(ticketReturn.quantity()));
		}
		String[] keyArray = keys.toArray(String[]::new);
		String[] argumentArray = arguments.toArray(String[]::new);
		List<Long> reply;
		try {
			reply = redis.evalsha(SHA, ScriptOutputType.MULTI, keyArray, argumentArray);
		}
		catch (RedisNoScriptException ex) {
			// A restarted Redis has an empty script cache; EVAL runs and caches it again.
			reply = redis.eval(SOURCE, ScriptOutputType.MULTI, keyArray, argumentArray);
		}
		return new Acknowledgement.Result(reply.get(0), reply.get(1), reply.get(2));
	}

	private static String load(String name) {
		try (InputStream in = AckScript.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("Missing script " + name + " next to " + AckScript.class.getName());
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to read script " + name, ex);
		}
	}

	private static String sha1(String source) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is missing from this JVM", ex);
		}
	}

}
