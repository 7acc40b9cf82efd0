package com.bookingmonitor.api.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import com.bookingmonitor.api.BookingApiProperties;

import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits request bodies to {@code booking.api.max-request-size}. Tomcat's own limit
 * covers form posts only, so the body stream counts bytes and fails the read that passes
 * the limit, which also catches chunked bodies without a {@code Content-Length}. The
 * exception handler turns that failure into 413.
 */
@Component
class RequestSizeLimitFilter extends OncePerRequestFilter {

	private final long limitBytes;

	RequestSizeLimitFilter(BookingApiProperties properties) {
		this.limitBytes = properties.maxRequestSize().toBytes();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new LimitedRequest(request, this.limitBytes), response);
	}

	private static final class LimitedRequest extends HttpServletRequestWrapper {

		private final long limitBytes;

		private ServletInputStream stream;

		LimitedRequest(HttpServletRequest request, long limitBytes) {
			super(request);
			this.limitBytes = limitBytes;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (this.stream == null) {
				if (getContentLengthLong() > this.limitBytes) {
					throw new PayloadTooLargeException(this.limitBytes);
				}
				this.stream = new LimitedInputStream(super.getInputStream(), this.limitBytes);
			}
			return this.stream;
		}

	}

	private static final class LimitedInputStream extends ServletInputStream {

		private final ServletInputStream delegate;

		private final long limitBytes;

		private long count;

		LimitedInputStream(ServletInputStream delegate, long limitBytes) {
			this.delegate = delegate;
			this.limitBytes = limitBytes;
		}

		@Override
		public int read() throws IOException {
			int next = this.delegate.read();
			if (next != -1) {
				count(1);
			}
			return next;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int read = this.delegate.read(buffer, offset, length);
			if (read > 0) {
				count(read);
			}
			return read;
		}

		private void count(int bytes) throws PayloadTooLargeException {
			this.count += bytes;
			if (this.count > this.limitBytes) {
				throw new PayloadTooLargeException(this.limitBytes);
			}
		}

		@Override
		public boolean isFinished() {
			return this.delegate.isFinished();
		}

		@Override
		public boolean isReady() {
			return this.delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			this.delegate.setReadListener(listener);
		}

	}

}
