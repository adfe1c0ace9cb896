package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tacit.testing.ChunkedInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Fuzzes the DATA reader (RFC 5321 4.1.1.4, 4.5.2) with any bytes, line limit, size limit, buffer size
 * and network fragmentation. Invariants:
 * <ul>
 *   <li>the body ends only at the first CRLF "." CRLF (or at a "." CRLF right after the DATA line);
 *       a bare CR or LF never ends it, and not one byte past the end marker is consumed (SMTP
 *       smuggling);</li>
 *   <li>without an end marker the outcome is EOF;</li>
 *   <li>the sink never receives more than the size limit, and nothing once the message is bad;</li>
 *   <li>outcome and unstuffed body equal an independent model of the rules.</li>
 * </ul>
 * The first four input bytes choose the line limit, size limit, SmtpInput buffer size and chunk size.
 */
class DataReaderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/smtp/smtp.dict")
    void read(byte[] input) throws IOException {
        if (input.length < 4) {
            return;
        }
        int maxLine = 3 + (input[0] & 0xff);
        long maxSize = (input[1] & 0xff) * 8L;
        int bufferSize = 1 + (input[2] & 0x3f);
        int chunk = 1 + (input[3] & 0xff);
        byte[] data = Arrays.copyOfRange(input, 4, input.length);

        ChunkedInput raw = new ChunkedInput(data, chunk);
        SmtpInput in = new SmtpInput(raw, bufferSize);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        DataReader.Result r = new DataReader(maxLine).read(in, sink, maxSize);

        int end = endMarker(data);
        Model m = model(data, maxLine, maxSize);
        if (end < 0) {
            assertThat(r.outcome()).isEqualTo(DataReader.Outcome.EOF);
        } else {
            assertThat(r.outcome()).isNotEqualTo(DataReader.Outcome.EOF);
            long consumed = raw.pulled() - in.buffered();
            assertThat(consumed).as("bytes consumed up to the end marker").isEqualTo(end);
        }
        assertThat(r.outcome()).isEqualTo(m.outcome);
        assertThat(sink.size()).isLessThanOrEqualTo((int) maxSize);
        if (r.outcome() == DataReader.Outcome.OK) {
            assertThat(sink.toByteArray()).isEqualTo(m.body.toByteArray());
            assertThat(r.size()).isEqualTo(sink.size());
        }
    }

    /** Offset just past the first end marker: CRLF.CRLF, or .CRLF at the very start; -1 if none. */
    static int endMarker(byte[] d) {
        if (d.length >= 3 && d[0] == '.' && d[1] == '\r' && d[2] == '\n') {
            return 3;
        }
        for (int i = 0; i + 5 <= d.length; i++) {
            if (d[i] == '\r' && d[i + 1] == '\n' && d[i + 2] == '.' && d[i + 3] == '\r' && d[i + 4] == '\n') {
                return i + 5;
            }
        }
        return -1;
    }

    record Model(DataReader.Outcome outcome, ByteArrayOutputStream body) {}

    /** The reader's rules written out plainly, line by line (lines end at LF). */
    static Model model(byte[] d, int maxLine, long maxSize) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataReader.Outcome bad = null;
        boolean previousCrlf = true;
        long size = 0;
        int start = 0;
        while (true) {
            int lf = start;
            while (lf < d.length && d[lf] != '\n') {
                lf++;
            }
            if (lf >= d.length) {
                return new Model(DataReader.Outcome.EOF, body);
            }
            int n = lf - start;                       // content length, CR included
            boolean crlf = n >= 1 && d[lf - 1] == '\r';
            boolean overflow = n + 1 > maxLine;
            int len = crlf ? n - 1 : n;
            if (crlf && previousCrlf && !overflow && len == 1 && d[start] == '.') {
                return new Model(bad == null ? DataReader.Outcome.OK : bad, body);
            }
            previousCrlf = crlf;
            if (bad == null) {
                if (overflow) {
                    bad = DataReader.Outcome.LINE_TOO_LONG;
                } else {
                    for (int i = start; i < start + len; i++) {
                        if (d[i] == '\r') {
                            bad = DataReader.Outcome.BARE_NEWLINE;
                        }
                    }
                    if (!crlf) {
                        bad = DataReader.Outcome.BARE_NEWLINE;
                    }
                }
            }
            if (bad == null) {
                int off = len > 0 && d[start] == '.' ? 1 : 0;
                size += len - off + 2;
                if (size > maxSize) {
                    bad = DataReader.Outcome.TOO_LARGE;
                } else {
                    body.write(d, start + off, len - off);
                    body.write('\r');
                    body.write('\n');
                }
            }
            start = lf + 1;
        }
    }
}
