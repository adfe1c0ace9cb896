package dev.tacit.bench;

import dev.tacit.queue.DeliveryTarget;
import dev.tacit.queue.Envelope;
import dev.tacit.queue.Incoming;
import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The spool's accept path: receive a small body, journal the envelope and body, wait until it is
 * durable, then journal its completion, as a delivered message does. With {@code fsync=true} this is
 * the disk's fsync latency shared by group commit across the benchmark threads; with
 * {@code fsync=false} it is the CPU cost of encoding and journaling. The journal is on
 * {@code java.io.tmpdir}: point that at the disk you want to measure.
 * Run with {@code bench/jmh.sh SpoolWriteBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(4)
public class SpoolWriteBench {

    @Param({"true", "false"})
    public boolean fsync;

    @Param({"2048"})
    public int bodyBytes;

    private Path dir;
    private Spool spool;
    private byte[] body;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("tacit-jmh-spool");
        spool = Spool.open(dir, fsync);
        StringBuilder sb = new StringBuilder("Subject: bench\r\n\r\n");
        while (sb.length() < bodyBytes) {
            sb.append("The quick brown fox jumps over the lazy dog 0123456789.\r\n");
        }
        body = sb.substring(0, bodyBytes).getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        spool.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public QueuedMessage acceptAndComplete() throws IOException {
        Incoming in = spool.begin();
        in.write(body, 0, body.length);
        Envelope env = new Envelope("alice@example.org", "", "localhost [127.0.0.1]", List.of("bob@example.com"),
                List.of(new DeliveryTarget(DeliveryTarget.Kind.LOCAL, "bob", "bob", 0)), Instant.now());
        QueuedMessage m = spool.commit(in, env);
        spool.complete(m);
        return m;
    }
}
