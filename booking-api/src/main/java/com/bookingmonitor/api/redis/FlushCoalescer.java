package com.bookingmonitor.api.redis;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.api.StatefulConnection;

/**
 * Flushes a connection whose auto-flush is off once per burst of commands instead of once
 * per command. Callers issue their commands on the connection and then call
 * {@link #commandIssued()}. The first caller of a burst schedules one
 * {@code flushCommands()} on the executor, and every command issued before that flush
 * runs goes out in the same write.
 * <p>
 * Per-command flushing costs a hand-off to the event loop and a write system call for
 * each command. Lettuce offers manual flushing but no scheduling of it, so this class
 * adds the scheduling.
 */
public final class FlushCoalescer {

	private final StatefulConnection<?, ?> connection;

	private final Executor executor;

	private final AtomicBoolean flushScheduled = new AtomicBoolean();

	private final Runnable flush = this::flush;

	/**
	 * @param connection a connection with auto-flush off
	 * @param executor the executor that runs the flushes, best a single thread so that
	 * they keep their order
	 */
	public FlushCoalescer(StatefulConnection<?, ?> connection, Executor executor) {
		this.connection = connection;
		this.executor = executor;
	}

	/** Makes sure that a flush runs after the command that the caller just issued. */
	public void commandIssued() {
		// The plain read first spares the compare-and-set, and its cache-line traffic,
		// for all but the first command of a burst.
		if (this.flushScheduled.get() || !this.flushScheduled.compareAndSet(false, true)) {
			return;
		}
		try {
			this.executor.execute(this.flush);
		}
		catch (RejectedExecutionException ex) {
			// The executor shuts down with the client. Flushing here means no command
			// waits for a flush that never comes.
			flush();
		}
	}

	private void flush() {
		// Cleared before draining: a command issued after this point either goes out with
		// this flush or schedules the next one, so none is left in the buffer.
		this.flushScheduled.set(false);
		this.connection.flushCommands();
	}

}
