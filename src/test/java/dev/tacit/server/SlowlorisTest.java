package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 slowloris clients against one server with the default limits: a third connect and say nothing,
 * a third trickle a command line one byte at a time and never end it, a third reach DATA and trickle
 * the body. While they hold their sessions, a legitimate client's whole session (EHLO, MAIL, RCPT,
 * DATA, QUIT) takes no more than 1 s longer than it did before the attack.
 *
 * <p>limits.max_connections_per_client is 50 by default and counts per address, so the attackers come
 * from 25 loopback addresses (127.0.10.1-25, 40 each; Linux routes all of 127/8 to lo), and the
 * legitimate client from 127.0.0.1. The limits stay at their defaults. The test needs about 2,300 file
 * descriptors in this JVM (a client and a server socket per attacker); it says so when the limit is lower.
 */
class SlowlorisTest {

    private static final int ATTACKERS = 1000;
    private static final int SOURCES = 25;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aThousandSlowClientsDoNotDelayALegitimateSession() throws Exception {
        requireDescriptors(2 * ATTACKERS + 300);
        List<Socket> attackers = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread trickler = null;
        try (TestServer ts = TestServer.start(dir, "log_level = 0\n[log]\nstdout = false\n")) {
            long[] before = new long[3];
            for (int i = 0; i < before.length; i++) {
                before[i] = legitimateSession(ts, "before" + i);
            }
            long baseline = median(before);

            byte[] toData = "EHLO slow.example.net\r\nMAIL FROM:<slow@example.org>\r\nRCPT TO:<gw@example.com>\r\nDATA\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            List<Socket> trickling = new ArrayList<>();
            for (int i = 0; i < ATTACKERS; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.10." + (1 + i % SOURCES), 0));
                s.connect(new InetSocketAddress("127.0.0.1", ts.port()), 5000);
                attackers.add(s);
                switch (i % 3) {
                    case 0 -> { } // connects and says nothing
                    case 1 -> trickling.add(s); // an EHLO line that never ends
                    default -> {
                        s.getOutputStream().write(toData); // then a body that never ends
                        trickling.add(s);
                    }
                }
            }
            trickler = Thread.ofPlatform().daemon(true).name("slowloris").start(() -> trickle(trickling, stop));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ts.server().activeSessions() < ATTACKERS && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(ts.server().activeSessions()).as("sessions the attackers hold").isGreaterThanOrEqualTo(ATTACKERS);

            long[] during = new long[5];
            for (int i = 0; i < during.length; i++) {
                during[i] = legitimateSession(ts, "during" + i);
            }
            assertThat(ts.server().activeSessions()).as("the attackers still hold their sessions").isGreaterThanOrEqualTo(ATTACKERS);
            long worst = Arrays.stream(during).max().orElseThrow();
            System.out.printf("slowloris: %d attackers held; legitimate session %.1f ms before (median), during %s ms%n",
                    ATTACKERS, baseline / 1e6, Arrays.toString(Arrays.stream(during).map(n -> n / 1_000_000).toArray()));
            assertThat(Duration.ofNanos(worst - baseline)).as("extra time of the slowest legitimate session")
                    .isLessThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(ts.maildirs().await("tj", before.length + during.length, Duration.ofSeconds(30)))
                    .hasSize(before.length + during.length);
            // the attackers leave before the server shuts down, or it would wait for their DATA (shutdown_grace)
            stopAttack(stop, trickler, attackers);
        } finally {
            stopAttack(stop, trickler, attackers);
        }
    }

    private static void stopAttack(AtomicBoolean stop, Thread trickler, List<Socket> attackers) throws Exception {
        stop.set(true);
        if (trickler != null) {
            trickler.join(5000);
        }
        for (Socket s : attackers) {
            s.close();
        }
        attackers.clear();
    }

    /** One byte per socket every 200 ms, until stopped (at most 2 minutes). */
    private static void trickle(List<Socket> sockets, AtomicBoolean stop) {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!stop.get() && System.nanoTime() < end) {
            for (Socket s : sockets) {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write('x');
                } catch (IOException e) {
                    // the server closed it: it no longer holds anything
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A whole session from 127.0.0.1, message delivered to tj; returns its duration in nanoseconds. */
    private static long legitimateSession(TestServer ts, String id) throws IOException {
        long t0 = System.nanoTime();
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(), Duration.ofSeconds(30))) {
            assertThat(c.read().code()).isEqualTo(220);
            assertThat(c.command("EHLO legit.example.net").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<legit@example.org>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<tj@example.com>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data(("Subject: " + id + "\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            assertThat(c.command("QUIT").code()).isEqualTo(221);
        }
        return System.nanoTime() - t0;
    }

    private static long median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** Skips (or, under CI, fails) when this JVM may not open that many descriptors. */
    static void requireDescriptors(long needed) throws IOException {
        long soft = Long.MAX_VALUE;
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String v = line.substring("Max open files".length()).strip().split("\\s+")[0];
                soft = v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
            }
        }
        if (soft < needed) {
            String msg = "this JVM may open " + soft + " file descriptors, the test needs " + needed + " (raise ulimit -n)";
            if (External.ci()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
    }
}
