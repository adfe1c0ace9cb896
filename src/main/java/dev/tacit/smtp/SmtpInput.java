package dev.tacit.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads SMTP lines from a socket with strict limits and without interpreting them.
 *
 * <p>Lines end at LF. Each line reports how it ended (CRLF, a bare LF, or end of stream) so the
 * callers can refuse what RFC 5321 2.3.8 forbids. The reader owns its buffer so that the session can
 * ask whether more pipelined input is already waiting (RFC 2920: flush replies only when the client
 * would otherwise wait).
 *
 * <p>Security: a line never grows past the caller's limit; overlong input is reported, not buffered.
 */
public final class SmtpInput {

    /** How a line ended. TRUNCATED: too long, and the caller asked not to read the rest. */
    public enum End { CRLF, LF, EOF, TRUNCATED }

    /**
     * One line without its terminator. {@code overflow} means the line was longer than the limit:
     * {@code data} then holds only its first bytes, and {@code length} counts every byte seen
     * (terminator included) when the rest was consumed.
     */
    public record Line(byte[] data, End end, boolean overflow, long length) {}

    /**
     * A line read by {@link #readLine(int, View)}: {@code data[off, off + len)} without its
     * terminator, valid only until the next read (it may point into this reader's buffer).
     */
    public static final class View {
        byte[] data;
        int off;
        int len;
        End end;
        boolean overflow;
        long length;
        boolean crlfFollows;

        public byte[] data() {
            return data;
        }

        public int off() {
            return off;
        }

        public int len() {
            return len;
        }

        public End end() {
            return end;
        }

        public boolean overflow() {
            return overflow;
        }

        /** Bytes consumed for this line, terminator included (as {@link Line#length()}). */
        public long length() {
            return length;
        }

        public boolean hasBareCr() {
            return Bytes.indexOf(data, off, off + len, (byte) '\r') >= 0;
        }

        /** Whether {@code data[off + len]} and the byte after it are the line's CRLF (so one copy takes both). */
        public boolean crlfFollows() {
            return crlfFollows;
        }
    }

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    private long totalRead;

    public SmtpInput(InputStream in) {
        this(in, 8192);
    }

    public SmtpInput(InputStream in, int bufferSize) {
        this.in = in;
        this.buf = new byte[bufferSize];
    }

    /** Bytes already received and not yet consumed: pipelined input waiting for us. */
    public int buffered() {
        return limit - pos;
    }

    public long totalRead() {
        return totalRead;
    }

    /** Discards whatever the client has pipelined so far (used after STARTTLS, CVE-2011-0411). */
    public void discardBuffered() {
        pos = limit;
    }

    private boolean fill() throws IOException {
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        totalRead += n;
        return true;
    }

    /**
     * As {@code readLine(max, true)}, without copying when the whole line is already buffered (the
     * DATA path: no array per body line). Returns false at end of stream with nothing read.
     */
    public boolean readLine(int max, View v) throws IOException {
        if (pos < limit) {
            int lf = Bytes.indexOf(buf, pos, limit, (byte) '\n');
            int chunk = lf - pos;
            if (lf >= 0 && chunk + 1 <= max) {
                boolean crlf = chunk > 0 && buf[lf - 1] == '\r';
                v.data = buf;
                v.off = pos;
                v.len = crlf ? chunk - 1 : chunk;
                v.end = crlf ? End.CRLF : End.LF;
                v.overflow = false;
                v.length = chunk + 1L;
                v.crlfFollows = crlf;
                pos = lf + 1;
                return true;
            }
        }
        Line l = readLine(max, true);
        if (l == null) {
            return false;
        }
        v.data = l.data();
        v.off = 0;
        v.len = l.data().length;
        v.end = l.end();
        v.overflow = l.overflow();
        v.length = l.length();
        v.crlfFollows = false;
        return true;
    }

    /**
     * Reads one line of at most {@code max} bytes including the terminator.
     *
     * @param consumeOverflow when a line is too long: true reads and drops the rest of it (DATA),
     *                        false returns at once with what was read (commands: the caller closes)
     * @return the line, or null at end of stream with nothing read
     */
    public Line readLine(int max, boolean consumeOverflow) throws IOException {
        byte[] out = new byte[Math.min(max, 128)];
        int len = 0;          // bytes kept in out
        long seen = 0;        // bytes of this line consumed so far, LF excluded
        boolean overflow = false;
        byte last = 0;        // last byte before the LF, to recognise CRLF across buffer refills
        while (true) {
            if (pos >= limit && !fill()) {
                return seen == 0 ? null : new Line(Arrays.copyOf(out, len), End.EOF, overflow, seen);
            }
            int start = pos;
            int lf = Bytes.indexOf(buf, start, limit, (byte) '\n');
            if (lf < 0) {
                lf = limit;
            }
            int chunk = lf - start;
            if (chunk > 0) {
                last = buf[lf - 1];
            }
            seen += chunk;
            if (!overflow) {
                int take = (int) Math.min(chunk, max - len);
                if (len + take > out.length) {
                    out = Arrays.copyOf(out, Math.min(max, Math.max(len + take, out.length * 2)));
                }
                System.arraycopy(buf, start, out, len, take);
                len += take;
                boolean hasLf = lf < limit;
                if (take < chunk || (hasLf && seen + 1 > max)) {
                    overflow = true;
                    if (!consumeOverflow) {
                        pos = hasLf ? lf + 1 : limit;
                        return new Line(Arrays.copyOf(out, len), End.TRUNCATED, true, seen);
                    }
                }
            }
            if (lf < limit) {
                pos = lf + 1;
                seen += 1;
                End end = last == '\r' && seen > 1 ? End.CRLF : End.LF;
                if (end == End.CRLF && !overflow) {
                    len--;
                }
                return new Line(Arrays.copyOf(out, len), end, overflow, seen);
            }
            pos = limit;
        }
    }
}
