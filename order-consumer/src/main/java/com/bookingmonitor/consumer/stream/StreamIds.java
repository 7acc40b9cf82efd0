package com.bookingmonitor.consumer.stream;

/** Arithmetic on Redis stream entry ids, {@code <milliseconds>-<sequence>}. */
final class StreamIds {

	private StreamIds() {
	}

	static int compare(String left, String right) {
		long[] a = parse(left);
		long[] b = parse(right);
		int byTime = Long.compareUnsigned(a[0], b[0]);
		return (byTime != 0) ? byTime : Long.compareUnsigned(a[1], b[1]);
	}

	/** Returns the smallest id above the given one. */
	static String successor(String id) {
		long[] parts = parse(id);
		if (parts[1] == -1L) {
			return Long.toUnsignedString(parts[0] + 1) + "-0";
		}
		return Long.toUnsignedString(parts[0]) + "-" + Long.toUnsignedString(parts[1] + 1);
	}

	/** Returns the milliseconds part: when Redis added an entry with a generated id. */
	static long millis(String id) {
		return parse(id)[0];
	}

	private static long[] parse(String id) {
		int dash = id.indexOf('-');
		if (dash < 0) {
			return new long[] { Long.parseUnsignedLong(id), 0 };
		}
		return new long[] { Long.parseUnsignedLong(id.substring(0, dash)),
				Long.parseUnsignedLong(id.substring(dash + 1)) };
	}

}
