package dev.tacit.bench;

import dev.tacit.smtp.DataReader;
import dev.tacit.smtp.SmtpInput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a DATA body the way a session does: 78-byte lines (as Postfix's smtp-source sends), one
 * line in forty dot-stuffed, through an 8 KB SmtpInput into a sink that copies what it gets.
 * Run with {@code bench/jmh.sh DataReadBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DataReadBench {

    @Param({"1024", "102400"})
    public int size;

    private byte[] wire;
    private final CopySink sink = new CopySink();
    private final DataReader reader = new DataReader(1000);

    @Setup
    public void setup() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < size; i++) {
            b.append(i % 40 == 39 ? ".." : "").append("La la la ".repeat(9), 0, 76).append("\r\n");
        }
        wire = b.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public long read() throws IOException {
        sink.n = 0;
        DataReader.Result r = reader.read(new SmtpInput(new ByteArrayInputStream(wire), 8192), sink, 10L << 20);
        return r.size() + sink.n;
    }

    /** Copies like the spool's body buffer does, so a write costs what it costs there. */
    static final class CopySink extends OutputStream {
        final byte[] buf = new byte[256 << 10];
        int n;

        @Override
        public void write(int b) {
            buf[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, buf, n, len);
            n += len;
        }
    }
}
