package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a load, twice, then a restart: every message that got a 250 is in a
 * Maildir exactly once; no message is delivered twice.
 */
class CrashSafetyIT {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageIsDeliveredExactlyOnceAcrossKill9() throws Exception {
        int port = External.freePort();
        Path config = TacitProcess.writeSite(dir, port, """
                privacy_options = "goaway"
                admin_listen = "127.0.0.1:0"
                """);
        Path log = dir.resolve("server.log");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger counter = new AtomicInteger();

        for (int round = 0; round < 2; round++) {
            try (TacitProcess p = TacitProcess.start(log, "serve", "--config", config.toString())) {
                p.awaitPort(port, 30_000);
                AtomicBoolean stop = new AtomicBoolean();
                ExecutorService pool = Executors.newFixedThreadPool(6);
                for (int t = 0; t < 6; t++) {
                    pool.submit(() -> sendUntilStopped(port, stop, counter, acked));
                }
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
                while (System.nanoTime() < until && acked.size() < 600 * (round + 1)) {
                    Thread.sleep(20);
                }
                p.kill9();
                stop.set(true);
                pool.shutdown();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(acked).hasSizeGreaterThan(50);

        try (TacitProcess p = TacitProcess.start(log, "serve", "--config", config.toString())) {
            p.awaitPort(port, 30_000);
            Map<String, Integer> seen = Map.of();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                seen = delivered(dir.resolve("mail"));
                if (seen.keySet().containsAll(acked)) {
                    break;
                }
                Thread.sleep(200);
            }
            Thread.sleep(500); // let any (wrong) duplicate show up
            seen = delivered(dir.resolve("mail"));
            assertThat(seen.keySet()).containsAll(acked);
            Map<String, Integer> dups = new HashMap<>();
            seen.forEach((k, v) -> {
                if (v != 1) {
                    dups.put(k, v);
                }
            });
            assertThat(dups).as("delivered more than once").isEmpty();
            System.out.printf("crash safety: %d acknowledged over two kill -9 rounds, %d delivered (unacknowledged but delivered: %d)%n",
                    acked.size(), seen.size(), seen.size() - acked.size());
            p.stop();
        }
    }

    private static void sendUntilStopped(int port, AtomicBoolean stop, AtomicInteger counter, Set<String> acked) {
        String[] users = {"gw", "tj", "bf", "br", "jqp"};
        while (!stop.get()) {
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
                c.read();
                c.command("EHLO load.example.net");
                while (!stop.get()) {
                    String id = "m" + counter.incrementAndGet();
                    String user = users[Math.floorMod(id.hashCode(), users.length)];
                    if (c.command("MAIL FROM:<load@example.org>").code() != 250
                            || c.command("RCPT TO:<" + user + "@example.com>").code() != 250
                            || c.command("DATA").code() != 354) {
                        break;
                    }
                    SmtpClient.Response r = c.data(("Subject: crash " + id + "\r\nX-Id: " + id + "\r\n\r\nbody\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    if (r != null && r.code() == 250) {
                        acked.add(id);
                    } else {
                        break;
                    }
                }
            } catch (Exception e) {
                // the server was killed: reconnect until told to stop
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static final Pattern ID = Pattern.compile("^X-Id: (m\\d+)$", Pattern.MULTILINE);

    private static Map<String, Integer> delivered(Path mail) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        if (!Files.isDirectory(mail)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(mail)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String parent = f.getParent().getFileName().toString();
                if (!Files.isRegularFile(f) || !(parent.equals("new") || parent.equals("cur"))) {
                    continue;
                }
                Matcher m = ID.matcher(Files.readString(f));
                if (m.find()) {
                    out.merge(m.group(1), 1, Integer::sum);
                }
            }
        }
        return out;
    }
}
