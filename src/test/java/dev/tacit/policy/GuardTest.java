package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enumeration guard over real sockets: a prober that reconnects for every guess (as
 * smtp-user-enum does) is tarpitted, then refused, then blocked, at the configured thresholds, while a
 * normal client from another network delivering to real users in parallel is never slowed.
 */
class GuardTest {

    @TempDir
    Path dir;

    /** The prober comes from 127.0.5.5, the normal client from 127.0.0.1: two /24s on loopback. */
    static final String PROBER = "127.0.5.5";

    @Test
    void reconnectingProberIsTarpittedRefusedAndBlockedWhileANormalClientIsNotSlowed() throws Exception {
        try (TestServer ts = TestServer.start(dir, """
                log_level = 9
                [guard]
                tarpit_after = 4
                tarpit_delay = "400ms"
                refuse_after = 8
                block_after = 12
                block_duration = "3s"
                [log]
                stdout = false
                file = "mail.log"
                events = "events.jsonl"
                """)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong worstNormal = new AtomicLong();
            CompletableFuture<Integer> normal = CompletableFuture.supplyAsync(() -> normalClient(ts, stop, worstNormal));

            List<String> firstReplies = new ArrayList<>();
            List<Long> rcptNanos = new ArrayList<>();
            List<Long> heloNanos = new ArrayList<>();
            for (int i = 1; i <= 14; i++) {
                try (SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(), Duration.ofSeconds(20), PROBER)) {
                    SmtpClient.Response greet = c.read();
                    if (greet.code() != 220) {
                        firstReplies.add(greet.raw().get(0));
                        continue;
                    }
                    heloNanos.add(c.command("HELO prober" + i + ".example.net").nanos());
                    c.command("MAIL FROM:<p" + i + "@example.org>");
                    SmtpClient.Response r = c.command("RCPT TO:<guess" + i + "@example.com>");
                    rcptNanos.add(r.nanos());
                    firstReplies.add(r.raw().get(0));
                }
            }
            stop.set(true);
            int delivered = normal.get();

            // guesses 1..8 answered like any RCPT (the 8th reaches refuse_after), 4..8 tarpitted,
            // 9..11 refused at RCPT (the attempts still count), the 12th reaches block_after: 421
            assertThat(firstReplies.subList(0, 8)).allMatch(l -> l.startsWith("250 2.1.5 <guess"));
            assertThat(rcptNanos.subList(0, 3)).allMatch(n -> n < 350_000_000L);
            assertThat(rcptNanos.subList(4, 8)).allMatch(n -> n >= 400_000_000L);
            // the tarpit holds the client as a whole, not its failures alone: HELO waits too
            assertThat(heloNanos.subList(0, 3)).allMatch(n -> n < 350_000_000L);
            assertThat(heloNanos.subList(4, 8)).allMatch(n -> n >= 400_000_000L);
            assertThat(firstReplies.subList(8, 11)).allMatch(l -> l.equals("450 4.7.1 mail.example.com Too many invalid requests from your address; try again later"));
            assertThat(firstReplies.get(11)).isEqualTo("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            // 13 and 14: blocked at connect
            assertThat(firstReplies.subList(12, 14)).allMatch(l -> l.equals("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection"));

            assertThat(delivered).isGreaterThan(5);
            assertThat(worstNormal.get()).as("the normal client's slowest RCPT, ns").isLessThan(300_000_000L);

            var admin = ts.server().adminAddress();
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("tacit_guard_escalations_total{level=\"tarpit\"} 1.0",
                    "tacit_guard_escalations_total{level=\"refuse\"} 1.0", "tacit_guard_escalations_total{level=\"block\"} 1.0");
            // the prober's address and its /24 are blocked
            assertThat(metrics).containsPattern("(?m)^tacit_guard_blocked_sources [1-9]");

            // the block expires
            Thread.sleep(3200);
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(), Duration.ofSeconds(20), PROBER)) {
                assertThat(c.read().code()).isEqualTo(220);
            }

            List<String> log = Files.readAllLines(dir.resolve("mail.log"));
            assertThat(log).anyMatch(l -> l.contains("guard: tarpitting client " + PROBER + " ("));
            assertThat(log).anyMatch(l -> l.contains("guard: refusing client " + PROBER + " ("));
            assertThat(log).anyMatch(l -> l.matches(".*guard: blocked client 127\\.0\\.5\\.5 until \\S+ \\((ip|net):\\S+: 12 unknown names or probes in 600s\\)"));
            String events = Files.readString(dir.resolve("events.jsonl"), StandardCharsets.UTF_8);
            assertThat(events).contains("\"event\":\"guard\",\"level\":\"tarpit\"", "\"level\":\"refuse\"", "\"level\":\"block\"");
        }
    }

    private static int normalClient(TestServer ts, AtomicBoolean stop, AtomicLong worst) {
        int sent = 0;
        try (SmtpClient c = ts.greeted()) {
            c.command("EHLO legit.example.net");
            String[] users = {"gw", "tj", "bf", "br", "jqp"};
            while (!stop.get() && sent < 200) {
                c.command("MAIL FROM:<legit@example.org>");
                SmtpClient.Response r = c.command("RCPT TO:<" + users[sent % users.length] + "@example.com>");
                worst.accumulateAndGet(r.nanos(), Math::max);
                c.command("DATA");
                if (c.data("Subject: legit\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)).code() == 250) {
                    sent++;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sent;
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfRandomSources() {
        LocalGuardStore store = new LocalGuardStore(Duration.ofMinutes(10), 51, 1000);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 200_000; i++) {
            store.note("ip:10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), i, now);
        }
        assertThat(store.trackedKeys()).isEqualTo(1000);
        // per key, at most 51 names are kept, however many are noted
        for (int i = 0; i < 10_000; i++) {
            store.note("ip:192.0.2.1", i, now);
        }
        assertThat(store.count("ip:192.0.2.1", now)).isEqualTo(51);
    }
}
