package dev.tacit.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink (from the Debian postfix package that .ci/audit-peers.sh extracts, never
 * installed) on a free loopback port, as the remote MX of delivery tests. Every transaction is dumped
 * to a file of its own ({@code -d}), with smtp-sink's X-Mail-Args and X-Rcpt-Args lines, so tests
 * see exactly what Tacit sent. Stopped by pid.
 */
public final class SmtpSink implements AutoCloseable {

    public static final Path PEERS = Path.of(System.getenv().getOrDefault("TACIT_PEERS", "/var/tmp/tacit-peers"));

    private final Process process;
    private final int port;
    private final Path dumps;

    private SmtpSink(Process process, int port, Path dumps) {
        this.process = process;
        this.port = port;
        this.dumps = dumps;
    }

    /**
     * @param dir   a scratch folder (the dumps go below it)
     * @param host  the loopback address to listen on (127.0.0.1, or another 127/8 address)
     * @param extra smtp-sink options, e.g. {@code -f RCPT -B "550 5.1.1 ..."}
     */
    public static SmtpSink start(Path dir, String host, String... extra) throws Exception {
        Path bin = External.require("smtp-sink", PEERS.resolve("postfix/usr/sbin").toString());
        Files.createDirectories(dir);
        // smtp-sink drops root for -u nobody: its dump folder must be reachable and writable for that
        // user, so it lives in a folder of its own under the system temp folder, not in the test's
        Path dumps = Files.createTempDirectory("tacit-sink-");
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = External.freePort();
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-h", "sink.example.net"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "nobody"));
        }
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-d", dumps + "/%Y%m%d%H%M%S.", host + ":" + port, "20"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("sink.log").toFile());
        pb.environment().put("LD_LIBRARY_PATH", PEERS.resolve("postfix/usr/lib/postfix").toString());
        Process p = pb.start();
        SmtpSink sink = new SmtpSink(p, port, dumps);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("smtp-sink exited: " + Files.readString(dir.resolve("sink.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return sink;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        sink.close();
        throw new IllegalStateException("smtp-sink did not listen on " + host + ":" + port);
    }

    public int port() {
        return port;
    }

    /** The transactions dumped so far, oldest first. */
    public List<String> dumps() throws IOException {
        try (Stream<Path> s = Files.list(dumps)) {
            List<Path> files = s.sorted().toList();
            List<String> out = new ArrayList<>();
            for (Path f : files) {
                out.add(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
            return out;
        }
    }

    /** Waits until at least n transactions were dumped (smtp-sink writes them before its 250). */
    public List<String> await(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            List<String> d = dumps();
            if (d.size() >= n && d.stream().allMatch(x -> x.endsWith("\n"))) {
                return d;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("smtp-sink: expected " + n + " message(s) within " + timeout + ", got " + dumps().size());
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dumps)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
