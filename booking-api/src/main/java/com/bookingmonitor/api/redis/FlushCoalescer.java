package com.bookingmonitor.api.redis;

import java.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * Flushes a connection whose auto-flush is off once per burst of commands instead of once
 * per command. Callers issue their commands on the connection and then call
 * {@link #commandIssued()}. The first caller of a burst schedules one
 * {@code flushCommands()}, and every command issued before that flush runs goes out in
 * the same write.
 * <p>
 * The flushes run on the event loop of the connection's channel, which writes the
 * commands at once, without handing them to another thread. Lettuce does not expose that
 * event loop, so this class learns it from the thread that completes a PING and from the
 * thread that reports each reconnect. Until then the flushes run on the fallback
 * executor, which costs one more thread hand-off per flush.
 * <p>
 * Per-command flushing costs a hand-off to the event loop and a write system call for
 * each command. Lettuce offers manual flushing but no scheduling of it, so this class
 * adds the scheduling.
 */
public final class FlushCoalescer implements RedisConnectionStateListener, AutoCloseable {

	private final StatefulRedisConnection<?, ?> connection;

	private final AbstractRedisClient client;

	private volatile Executor executor;

	private final AtomicBoolean flushScheduled = new AtomicBoolean();

	private final Runnable flush = this::flush;

	/**
	 * Starts to learn the channel's event loop, and uses {@code fallback} until it is
	 * known.
	 * @param connection a connection with auto-flush off
	 * @param client the client that opened the connection, which reports its reconnects
	 * @param fallback runs the flushes until the event loop is known, preferably a single
	 * thread
	 */
	public FlushCoalescer(StatefulRedisConnection<?, ?> connection, AbstractRedisClient client, Executor fallback) {
		this.connection = connection;
		this.client = client;
		this.executor = fallback;
		client.addListener(this);
		RedisFuture<String> ping = connection.async().ping();
		// Registered before the flush that sends the PING, so the callback runs on the
		// thread that reads the reply, the channel's event loop.
		ping.whenComplete((reply, error) -> adoptCurrentEventLoop());
		connection.flushCommands();
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

	/** Returns whether the flushes run on an event loop learned from the connection. */
	public boolean onEventLoop() {
		return this.executor instanceof EventExecutor;
	}

	@Override
	public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
		// Lettuce calls this from the channel's event loop when the channel becomes
		// active.
		if (connection == this.connection) {
			adoptCurrentEventLoop();
		}
	}

	private void adoptCurrentEventLoop() {
		EventExecutor eventLoop = ThreadExecutorMap.currentExecutor();
		if (eventLoop != null) {
			this.executor = eventLoop;
		}
	}

	private void flush() {
		// Cleared before draining: a command issued after this point either goes out with
		// this flush or schedules the next one, so none is left in the buffer.
		this.flushScheduled.set(false);
		this.connection.flushCommands();
	}

	@Override
	public void close() {
		this.client.removeListener(this);
	}

}
