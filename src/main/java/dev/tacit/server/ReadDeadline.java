package dev.tacit.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A session's read timeout, kept as a deadline that its listener's sweeper checks, instead of a
 * socket timeout.
 *
 * <p>Why: a virtual thread blocked in a read with {@code SO_TIMEOUT} schedules a timer with the
 * scheduler's delay thread and cancels it when the data comes; each of those wakes that thread.
 * A one-message session parks in about seven reads. Two Tacits side by side, 12 alternating pairs
 * of 4,000 1 KB messages, one per session at c=10: without the socket timeout, rate 1.10x and CPU
 * per message 0.84x, faster in 12 of 12 (bench/profile-notes.md, row 20).
 *
 * <p>A read sets the deadline (now + timeout) and clears it when it returns. The sweeper
 * ({@link #expire}) claims a deadline that has passed and shuts the connection's input, which ends
 * the blocked read (EOF, or an exception over TLS); the read then throws {@link
 * SocketTimeoutException}, as with {@code SO_TIMEOUT}, so the session answers 421 4.4.2 as before. A
 * timeout fires between its deadline and one sweep later. The claim is a compare-and-set on the
 * deadline, so a read that has already returned is never cut for an older deadline.
 */
public final class ReadDeadline {

    private static final long IDLE = 0;
    private static final long EXPIRED = 1;
    private static final VarHandle DUE;

    static {
        try {
            DUE = MethodHandles.lookup().findVarHandle(ReadDeadline.class, "due", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Socket tcp;
    /** System.nanoTime() by which the read in progress must return; IDLE when none is; EXPIRED once cut. */
    private volatile long due;
    private long timeoutNanos; // set and read by the session's thread only

    /** @param tcp the connection whose input is shut when a read overruns (the TCP socket, under any TLS) */
    public ReadDeadline(Socket tcp) {
        this.tcp = tcp;
    }

    /** The timeout of the reads from now on; zero or negative for none. */
    public void timeout(Duration d) {
        timeoutNanos = d.isNegative() ? 0 : d.toNanos();
    }

    /** The stream, with every read bounded by this deadline. */
    public InputStream wrap(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                start();
                int n;
                try {
                    n = in.read(b, off, len);
                } catch (IOException e) {
                    throw end() ? timedOut() : e;
                }
                if (end()) {
                    throw timedOut();
                }
                return n;
            }
        };
    }

    private void start() {
        long t = timeoutNanos;
        if (t <= 0) {
            return;
        }
        long d = System.nanoTime() + t;
        due = d == IDLE || d == EXPIRED ? 2 : d;
    }

    /** Ends a read: true when the sweeper cut it. */
    private boolean end() {
        return (long) DUE.getAndSet(this, IDLE) == EXPIRED;
    }

    private static SocketTimeoutException timedOut() {
        return new SocketTimeoutException("Read timed out");
    }

    /**
     * Cuts the read in progress if its deadline has passed by {@code now} (System.nanoTime()).
     *
     * @return whether it was cut
     */
    boolean expire(long now) {
        long d = due;
        if (d == IDLE || d == EXPIRED || now - d < 0 || !DUE.compareAndSet(this, d, EXPIRED)) {
            return false;
        }
        try {
            tcp.shutdownInput();
        } catch (IOException ignored) {
            // closed meanwhile: the read has ended anyway
        }
        return true;
    }
}
