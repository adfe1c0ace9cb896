package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.ChunkedInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The DATA reader against the plain line-by-line model of {@link DataReaderFuzzTest} on bodies shaped
 * like mail (hundreds of lines, some dot-stuffed, empty or long, a bare CR or LF in one in five),
 * through buffers up to the session's 8 KB and input fragmented as a socket would. The fuzz corpus
 * uses buffers of at most 64 bytes and short inputs; this covers refills of a real-sized buffer.
 */
class DataReaderModelTest {

    /** A body of mostly ordinary lines, some dot-stuffed, empty or long; {@code bad} adds a bare CR or LF. */
    private static byte[] body(Random r, int lines, boolean bad) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < lines; i++) {
            int kind = r.nextInt(20);
            if (kind == 0) {
                b.write('.');
            }
            int n = kind == 1 ? 0 : kind == 2 ? 300 + r.nextInt(600) : r.nextInt(100);
            for (int k = 0; k < n; k++) {
                b.write('!' + r.nextInt(90));
            }
            if (bad && r.nextInt(lines) == 0) {
                b.write(r.nextBoolean() ? '\r' : '\n');
            }
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        b.writeBytes(new byte[] {'.', '\r', '\n'});
        return b.toByteArray();
    }

    @Test
    void mailShapedBodiesMatchTheModelAcrossRefills() throws IOException {
        Random r = new Random(20261123);
        int[] buffers = {7, 64, 100, 1000, 4096, 8192};
        for (int c = 0; c < 600; c++) {
            byte[] data = body(r, 1 + r.nextInt(400), c % 5 == 4);
            int buffer = buffers[c % buffers.length];
            int chunk = r.nextBoolean() ? 1 + r.nextInt(50) : 1 + r.nextInt(70_000);
            long maxSize = c % 7 == 6 ? r.nextInt(data.length) : 10L << 20;
            ChunkedInput raw = new ChunkedInput(data, chunk);
            SmtpInput in = new SmtpInput(raw, buffer);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            DataReader.Result got = new DataReader(1000).read(in, sink, maxSize);
            DataReaderFuzzTest.Model want = DataReaderFuzzTest.model(data, 1000, maxSize);
            String what = "case " + c + ": " + data.length + " bytes, buffer " + buffer + ", chunk " + chunk;
            assertThat(got.outcome()).as(what).isEqualTo(want.outcome());
            assertThat(raw.pulled() - in.buffered()).as(what + ": consumed").isEqualTo(DataReaderFuzzTest.endMarker(data));
            if (got.outcome() == DataReader.Outcome.OK) {
                assertThat(sink.toByteArray()).as(what).isEqualTo(want.body().toByteArray());
            }
        }
    }
}
