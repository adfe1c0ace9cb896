package dev.tacit.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Reads a DATA body (RFC 5321 4.1.1.4, 4.5.2) up to the end marker CRLF "." CRLF.
 *
 * <p>Security (SMTP smuggling): only CRLF "." CRLF ends the data. A bare LF or a bare CR anywhere,
 * and so any {@code \n.\n}, {@code \r.\r} or mixed variant, is never an end marker; the message is
 * read to the real end and then refused, so nothing can be smuggled past this server or through it
 * to another. Bytes past the size limit are counted and dropped, never buffered.
 */
public final class DataReader {

    public enum Outcome { OK, TOO_LARGE, BARE_NEWLINE, LINE_TOO_LONG, EOF }

    public record Result(Outcome outcome, long size) {}

    private static final byte[] CRLF = {'\r', '\n'};

    private final int maxLine;

    /** @param maxLine longest accepted body line in bytes, CRLF included */
    public DataReader(int maxLine) {
        this.maxLine = maxLine;
    }

    /**
     * Copies the unstuffed body, each line ending in CRLF, to {@code sink} while the message is
     * acceptable; stops copying (but keeps reading) as soon as it is not.
     */
    public Result read(SmtpInput in, OutputStream sink, long maxSize) throws IOException {
        long size = 0;
        Outcome bad = null;
        boolean previousCrlf = true; // the DATA command line itself ended the previous line
        SmtpInput.View line = new SmtpInput.View();
        while (true) {
            if (!in.readLine(maxLine, line) || line.end() == SmtpInput.End.EOF) {
                return new Result(Outcome.EOF, size);
            }
            byte[] data = line.data();
            int start = line.off();
            int length = line.len();
            boolean crlf = line.end() == SmtpInput.End.CRLF;
            if (crlf && previousCrlf && !line.overflow() && length == 1 && data[start] == '.') {
                return new Result(bad == null ? Outcome.OK : bad, size);
            }
            previousCrlf = crlf;
            if (bad == null) {
                if (line.overflow()) {
                    bad = Outcome.LINE_TOO_LONG;
                } else if (!crlf || line.hasBareCr()) {
                    bad = Outcome.BARE_NEWLINE;
                }
            }
            int dot = length > 0 && data[start] == '.' ? 1 : 0;
            long lineSize = length - dot + 2L;
            size += lineSize;
            if (bad == null && size > maxSize) {
                bad = Outcome.TOO_LARGE;
            }
            if (bad == null) {
                if (line.crlfFollows()) {
                    sink.write(data, start + dot, length - dot + 2);
                } else {
                    sink.write(data, start + dot, length - dot);
                    sink.write(CRLF);
                }
            }
        }
    }
}
