package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.directory.Alias;
import dev.tacit.directory.Directory;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.User;
import dev.tacit.server.LookupLane;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under the enumeration defence an untrusted client's RCPT to a local name is answered before the
 * directory has: the lookup runs off the session's thread and the message's verdict waits for it at
 * the end of DATA. Over real sockets, with the site's files directory made slow (or failing) by a
 * wrapper, since the directory is not what is tested here: replies arrive long before the lookups
 * end, the verdict after DATA is still right, a failed lookup loses nothing, the guard still sees
 * every unknown name (after QUIT or RSET too), and trusted clients keep sendmail's synchronous
 * per-recipient answers.
 */
class DeferredRcptLookupTest {

    @TempDir
    Path dir;

    static final String LOG = "log_level = 9\n[log]\nstdout = false\nfile = \"mail.log\"\n";
    static final String NO_GUARD = "[guard]\nenabled = false\n";

    /** The files directory, with every lookup taking {@code delay}; it can be made to fail, and counts lookups in flight. */
    static final class Slow implements Directory {
        final Directory d;
        final Duration delay;
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        Slow(Directory d, Duration delay) {
            this.d = d;
            this.delay = delay;
        }

        private void pause() throws DirectoryUnavailableException {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            if (failing.get()) {
                throw new DirectoryUnavailableException("test: directory down", null);
            }
        }

        @Override
        public Optional<User> user(String login) throws DirectoryUnavailableException {
            pause();
            return d.user(login);
        }

        @Override
        public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
            pause();
            return d.alias(name);
        }
    }

    private Slow slow;

    private TestServer start(String toml, Duration delay) throws Exception {
        return TestServer.start(dir, toml, TestServer.USERS, TestServer.ALIASES, d -> slow = new Slow(d, delay));
    }

    private static byte[] body(String subject) {
        return ("Subject: " + subject + "\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private List<String> log() throws Exception {
        return Files.readAllLines(dir.resolve("mail.log"));
    }

    @Test
    void tenRcptsAreAnsweredLongBeforeTheirLookupsEndAndNoneExistsIsStill550AfterData() throws Exception {
        try (TestServer ts = start(LOG + NO_GUARD, Duration.ofMillis(200)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                assertThat(c.command("RCPT TO:<nosuch" + i + "@example.com>").raw())
                        .containsExactly("250 2.1.5 <nosuch" + i + "@example.com>... Recipient ok");
            }
            long rcptNanos = System.nanoTime() - start;
            // synchronously these would take 10 x 2 lookups x 200 ms; each RCPT waited for none of them
            assertThat(rcptNanos).as("10 RCPTs, ns").isLessThan(1_000_000_000L);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data(body("nobody")).raw()).containsExactly("550 5.1.1 No valid recipients");
            assertThat(log()).filteredOn(l -> l.contains("... User unknown")).hasSize(10);
            // the session goes on: a real recipient in the next transaction is delivered
            c.command("MAIL FROM:<a@example.org>");
            c.command("RCPT TO:<gw@example.com>");
            c.command("DATA");
            assertThat(c.data(body("real")).code()).isEqualTo(250);
            assertThat(ts.maildirs().await("gw", 1, Duration.ofSeconds(10))).hasSize(1);
        }
    }

    @Test
    void aMixedMessageIsDeliveredToTheRealRecipientsOnly() throws Exception {
        try (TestServer ts = start(LOG + NO_GUARD, Duration.ofMillis(200)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            long start = System.nanoTime();
            for (String n : new String[] {"gw", "ghost1", "tj", "ghost2", "all"}) {
                assertThat(c.command("RCPT TO:<" + n + "@example.com>").code()).isEqualTo(250);
            }
            assertThat(System.nanoTime() - start).as("5 RCPTs, ns").isLessThan(1_000_000_000L);
            c.command("DATA");
            assertThat(c.data(body("mixed")).code()).isEqualTo(250);
            // all = gw, tj, bf, br, jqp: one copy each, however many recipients lead there
            for (String u : new String[] {"gw", "tj", "bf", "br", "jqp"}) {
                assertThat(ts.maildirs().await(u, 1, Duration.ofSeconds(10))).as(u).hasSize(1);
            }
            Thread.sleep(300);
            assertThat(ts.maildirs().messages("gw")).hasSize(1);
            assertThat(ts.maildirs().messages("ghost1")).isEmpty();
            assertThat(log()).anyMatch(l -> l.endsWith("<ghost1@example.com>... User unknown (dropped)"))
                    .anyMatch(l -> l.endsWith("<ghost2@example.com>... User unknown (dropped)"))
                    .noneMatch(l -> l.contains("<gw@example.com>... User unknown"));
        }
    }

    @Test
    void aFailedLookupMakesTheMessageATemporaryFailureAndNothingIsLost() throws Exception {
        try (TestServer ts = start(LOG + NO_GUARD, Duration.ofMillis(50)); SmtpClient c = ts.greeted()) {
            slow.failing.set(true);
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            assertThat(c.command("RCPT TO:<gw@example.com>").raw()).containsExactly("250 2.1.5 <gw@example.com>... Recipient ok");
            assertThat(c.command("RCPT TO:<tj@example.com>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data(body("during the outage")).raw())
                    .containsExactly("451 4.3.0 <gw@example.com>... Temporary lookup failure; try again later");
            // nothing was accepted, so nothing is queued; the client tries again once the directory is back
            slow.failing.set(false);
            assertThat(c.command("RCPT TO:<gw@example.com>").raw()).containsExactly("503 5.5.1 Need MAIL before RCPT");
            c.command("MAIL FROM:<a@example.org>");
            c.command("RCPT TO:<gw@example.com>");
            c.command("DATA");
            assertThat(c.data(body("after the outage")).code()).isEqualTo(250);
            List<String> got = ts.maildirs().await("gw", 1, Duration.ofSeconds(10));
            Thread.sleep(300);
            assertThat(ts.maildirs().contents("gw")).hasSize(1);
            assertThat(got.get(0)).contains("Subject: after the outage");
        }
    }

    @Test
    void aLookupThatDoesNotEndInTimeIsATemporaryFailure() throws Exception {
        try (TestServer ts = start(LOG + NO_GUARD + "[directory]\ntimeout = \"300ms\"\n", Duration.ofSeconds(3)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
            c.command("DATA");
            SmtpClient.Response r = c.data(body("late"));
            assertThat(r.raw()).containsExactly("451 4.3.0 <gw@example.com>... Temporary lookup failure; try again later");
            assertThat(r.nanos()).as("the wait is bounded by directory.timeout, not by the lookup").isLessThan(2_500_000_000L);
            assertThat(log()).anyMatch(l -> l.endsWith("directory unavailable: no answer for <gw@example.com>"));
        }
    }

    @Test
    void aSessionKeepsAtMostAFewLookupsInFlight() throws Exception {
        try (TestServer ts = start(LOG + NO_GUARD, Duration.ofMillis(40)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            for (int i = 0; i < 24; i++) {
                assertThat(c.command("RCPT TO:<many" + i + "@example.com>").code()).isEqualTo(250);
            }
            c.command("DATA");
            assertThat(c.data(body("many")).raw()).containsExactly("550 5.1.1 No valid recipients");
            assertThat(slow.maxInFlight.get()).isBetween(1, LookupLane.WIDTH);
        }
    }

    @Test
    void aSessionThatOutrunsTheDirectoryIsAnsweredInlineOnceItsLaneIsFull() throws Exception {
        // max_recipients bounds the session's outstanding lookups, across transactions too
        try (TestServer ts = start(LOG + NO_GUARD + "[limits]\nmax_recipients = 3\n", Duration.ofMillis(300)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertThat(c.command("RCPT TO:<gone" + i + "@example.com>").code()).isEqualTo(250);
            }
            assertThat(System.nanoTime() - start).as("3 deferred RCPTs, ns").isLessThan(300_000_000L);
            // the reset transaction's three lookups still run: the lane is full
            c.command("RSET");
            c.command("MAIL FROM:<a@example.org>");
            SmtpClient.Response r = c.command("RCPT TO:<gw@example.com>");
            assertThat(r.raw()).containsExactly("250 2.1.5 <gw@example.com>... Recipient ok");
            assertThat(r.nanos()).as("looked up on the session's thread").isGreaterThanOrEqualTo(300_000_000L);
            assertThat(slow.maxInFlight.get()).isLessThanOrEqualTo(LookupLane.WIDTH);
            c.command("DATA");
            assertThat(c.data(body("inline")).code()).isEqualTo(250);
            assertThat(ts.maildirs().await("gw", 1, Duration.ofSeconds(10))).hasSize(1);
        }
    }

    @Test
    void aTransactionResetWhileItsLookupsRunDeliversToTheNewOneOnly() throws Exception {
        try (TestServer ts = start(LOG + NO_GUARD, Duration.ofMillis(200)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
            assertThat(c.command("RSET").code()).isEqualTo(250);
            c.command("MAIL FROM:<a@example.org>");
            assertThat(c.command("RCPT TO:<tj@example.com>").code()).isEqualTo(250);
            c.command("DATA");
            assertThat(c.data(body("second")).code()).isEqualTo(250);
            assertThat(ts.maildirs().await("tj", 1, Duration.ofSeconds(10))).hasSize(1);
            // gw's lookup started before tj's, which DATA waited for: it has ended, and its transaction is gone
            Thread.sleep(300);
            assertThat(ts.maildirs().messages("gw")).isEmpty();
        }
    }

    @Test
    void theNextCommandAfterTheLookupThatBlocksGets421() throws Exception {
        String guard = "[guard]\ntarpit_after = 3\nrefuse_after = 3\nblock_after = 3\n";
        try (TestServer ts = start(LOG + guard, Duration.ofMillis(20)); SmtpClient c = ts.greeted()) {
            c.command("EHLO prober.example.net");
            c.command("MAIL FROM:<p@example.org>");
            for (int i = 1; i <= 3; i++) {
                // the third lookup crosses block_after; its own answer was already given, like every other
                assertThat(c.command("RCPT TO:<guess" + i + "@example.com>").raw())
                        .containsExactly("250 2.1.5 <guess" + i + "@example.com>... Recipient ok");
            }
            TestServer.awaitLog(dir.resolve("mail.log"), l -> l.contains("guard: blocked client 127.0.0.1"), 1, Duration.ofSeconds(10));
            assertThat(c.command("NOOP").raw())
                    .containsExactly("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void aSourceBlockedWhileItsMessageWasSentIsToldSoAfterDataAndNothingIsAccepted() throws Exception {
        String guard = "[guard]\ntarpit_after = 3\nrefuse_after = 3\nblock_after = 3\n";
        try (TestServer ts = start(LOG + guard, Duration.ofMillis(300)); SmtpClient c = ts.greeted()) {
            c.command("EHLO prober.example.net");
            c.command("MAIL FROM:<p@example.org>");
            c.command("RCPT TO:<gw@example.com>");
            for (int i = 1; i <= 3; i++) {
                c.command("RCPT TO:<guess" + i + "@example.com>");
            }
            // DATA comes before the lookups end: 354, and the verdict waits for them
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data(body("probe")).raw())
                    .containsExactly("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            assertThat(c.read()).isNull();
            Thread.sleep(300);
            assertThat(ts.maildirs().messages("gw")).isEmpty();
        }
    }

    @Test
    void lookupsEndAndAreNotedAfterRsetQuitOrADroppedConnection() throws Exception {
        String guard = "[guard]\ntarpit_after = 3\nrefuse_after = 3\nblock_after = 3\n";
        try (TestServer ts = start(LOG + guard, Duration.ofMillis(150))) {
            try (SmtpClient c = ts.greeted()) {
                c.command("EHLO prober.example.net");
                c.command("MAIL FROM:<p@example.org>");
                c.command("RCPT TO:<first@example.com>");
                assertThat(c.command("RSET").code()).isEqualTo(250);
                c.command("MAIL FROM:<p@example.org>");
                c.command("RCPT TO:<second@example.com>");
                assertThat(c.command("QUIT").code()).isEqualTo(221);
            }
            try (SmtpClient c = ts.greeted()) {
                c.command("EHLO prober.example.net");
                c.command("MAIL FROM:<p@example.org>");
                c.command("RCPT TO:<third@example.com>");
            } // dropped without QUIT
            TestServer.awaitLog(dir.resolve("mail.log"), l -> l.contains("guard: blocked client 127.0.0.1"), 1, Duration.ofSeconds(10));
            try (SmtpClient c = ts.connect()) {
                assertThat(c.read().raw())
                        .containsExactly("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            }
        }
    }

    @Test
    void aClientThatLeavesMidTransactionKeepsItsConnectionSlotUntilItsLookupsEnd() throws Exception {
        // one connection per client: lookups that outlive their session still count against it
        try (TestServer ts = start(LOG + NO_GUARD + "[limits]\nmax_connections_per_client = 1\n", Duration.ofMillis(300))) {
            try (SmtpClient c = ts.greeted()) {
                c.command("EHLO client.example.net");
                c.command("MAIL FROM:<a@example.org>");
                assertThat(c.command("RCPT TO:<left@example.com>").code()).isEqualTo(250);
            } // dropped: the lookup (alias, then user: 600 ms) goes on
            Thread.sleep(150); // long past the server seeing the connection end, well before the lookup does
            try (SmtpClient c = ts.connect()) {
                assertThat(c.read().raw()).containsExactly("421 4.7.0 mail.example.com Too many connections from your address; try again later");
            }
            TestServer.awaitLog(dir.resolve("mail.log"), l -> l.endsWith("<left@example.com>... User unknown"), 1, Duration.ofSeconds(10));
            SmtpClient.Response greet = null;
            for (int i = 0; i < 100; i++) { // bounded: the slot is released as the lookup's task ends
                try (SmtpClient c = ts.connect()) {
                    greet = c.read();
                }
                if (greet.code() == 220) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(greet.code()).isEqualTo(220);
        }
    }

    @Test
    void aReconnectingScannerThatOutrunsTheLookupsStillEndsUpBlocked() throws Exception {
        String guard = "[guard]\ntarpit_after = 5\nrefuse_after = 5\nblock_after = 5\nblock_duration = \"1m\"\n";
        String busy = "421 4.7.0 mail.example.com Too many connections from your address; try again later";
        try (TestServer ts = start(LOG + guard + "[limits]\nmax_connections_per_client = 8\n", Duration.ofMillis(100))) {
            List<String> answers = new ArrayList<>();
            int refusedBusy = 0;
            String blocked = null;
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (int i = 0; i < 300 && blocked == null && System.nanoTime() < end; i++) {
                try (SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(), Duration.ofSeconds(10), "127.0.7.7")) {
                    SmtpClient.Response greet = c.read();
                    if (greet.raw().get(0).equals(busy)) {
                        // its earlier connections' lookups still hold their slots: try again shortly
                        refusedBusy++;
                        Thread.sleep(10);
                        continue;
                    }
                    if (greet.code() != 220) {
                        blocked = greet.raw().get(0);
                        break;
                    }
                    SmtpClient.Response r = null;
                    for (String cmd : new String[] {"HELO scanner.example.net", "MAIL FROM:<s@example.org>", "RCPT TO:<guess" + i + "@example.com>"}) {
                        r = c.command(cmd);
                        if (r == null || r.code() == 421) {
                            break; // blocked between two commands: the next one is refused
                        }
                    }
                    if (r == null || r.code() != 250) {
                        blocked = r == null ? "closed" : r.raw().get(0);
                        break;
                    }
                    answers.add(r.raw().get(0));
                    if (i % 2 == 0) {
                        c.command("QUIT"); // every other connection just drops
                    }
                }
            }
            assertThat(blocked).as("blocked after %d uniform answers", answers.size())
                    .isEqualTo("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
            // block_after names noted, plus at most one lookup in flight per connection slot
            assertThat(answers).hasSizeBetween(5, 5 + 8).allMatch(l -> l.startsWith("250 2.1.5 <guess"));
            System.out.printf("scanner: %d uniform answers before the block, %d connections refused while lookups ran%n", answers.size(),
                    refusedBusy);
        }
    }

    @Test
    void trustedClientsStillGetSendmailsAnswerPerRcptAfterTheLookup() throws Exception {
        try (TestServer ts = start("trusted_networks = [\"127.0.0.0/8\"]\n" + LOG + NO_GUARD, Duration.ofMillis(200));
                SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            SmtpClient.Response unknown = c.command("RCPT TO:<nosuch@example.com>");
            assertThat(unknown.raw()).containsExactly("550 5.1.1 <nosuch@example.com>... User unknown");
            assertThat(unknown.nanos()).as("answered from the lookup").isGreaterThanOrEqualTo(200_000_000L);
            SmtpClient.Response real = c.command("RCPT TO:<gw@example.com>");
            assertThat(real.raw()).containsExactly("250 2.1.5 <gw@example.com>... Recipient ok");
            assertThat(real.nanos()).isGreaterThanOrEqualTo(200_000_000L);
        }
    }

    @Test
    void withoutTheDefenceAnUntrustedClientGetsTheAnswerFromTheLookupToo() throws Exception {
        try (TestServer ts = start("enumeration_defense = false\n" + LOG + NO_GUARD, Duration.ofMillis(200)); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            c.command("MAIL FROM:<a@example.org>");
            SmtpClient.Response unknown = c.command("RCPT TO:<nosuch@example.com>");
            assertThat(unknown.raw()).containsExactly("550 5.1.1 <nosuch@example.com>... User unknown");
            assertThat(unknown.nanos()).isGreaterThanOrEqualTo(200_000_000L);
        }
    }
}
