package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.RedisServer;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Tacit nodes sharing their guard counters through a real redis-server: a prober that alternates
 * between them is counted as one and blocked on both at the combined threshold. A Redis outage is
 * logged and the nodes go on with their own counters; no session fails.
 *
 * <p>The RCPT whose lookup crosses the threshold is answered like any other (the lookup runs after
 * the answer); the block applies from the prober's next command or connection on.
 */
class ClusterGuardTest {

    @TempDir
    Path dir;

    static final String PROBER = "127.0.6.6";

    private static String guard(String counters) {
        return "counters = \"" + counters + "\"\nlog_level = 9\n[guard]\ntarpit_after = 6\nrefuse_after = 6\nblock_after = 6\n"
                + "block_duration = \"1m\"\n[log]\nstdout = false\nfile = \"mail.log\"\n";
    }

    private static String probe(TestServer node, String name) throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", node.port(), Duration.ofSeconds(10), PROBER)) {
            return rcpt(c, name);
        }
    }

    /** Greeting, HELO, MAIL and one RCPT; the first line of the RCPT's answer (or of a refused greeting). */
    private static String rcpt(SmtpClient c, String name) throws Exception {
        SmtpClient.Response greet = c.read();
        if (greet.code() != 220) {
            return greet.raw().get(0);
        }
        c.command("HELO prober.example.net");
        c.command("MAIL FROM:<p@example.org>");
        return c.command("RCPT TO:<" + name + "@example.com>").raw().get(0);
    }

    /** A probe whose lookup has ended and been noted (its "User unknown" line is logged after the note). */
    private String probeNoted(TestServer node, String name) throws Exception {
        String r = probe(node, name);
        TestServer.awaitLog(node.dataDir().resolve("mail.log"), l -> l.endsWith("<" + name + "@example.com>... User unknown"), 1,
                Duration.ofSeconds(10));
        return r;
    }

    /** Waits for the node's log to say the prober is blocked: the crossing lookup has been noted. */
    private static void awaitBlock(Path log) throws Exception {
        TestServer.awaitLog(log, l -> l.contains("guard: blocked client " + PROBER), 1, Duration.ofSeconds(10));
    }

    @Test
    void aProberSpreadOverTwoNodesIsBlockedOnBoth() throws Exception {
        Files.createDirectories(dir.resolve("redis"));
        try (RedisServer redis = RedisServer.start(dir.resolve("redis"));
                TestServer a = TestServer.start(dir.resolve("a"), guard(redis.uri()));
                TestServer b = TestServer.start(dir.resolve("b"), guard(redis.uri()))) {
            // 6 distinct unknown names, alternating; no node alone sees more than 3
            for (int i = 1; i <= 5; i++) {
                assertThat(probeNoted(i % 2 == 0 ? a : b, "guess" + i)).startsWith("250 2.1.5");
            }
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", a.port(), Duration.ofSeconds(10), PROBER)) {
                // the 6th name is answered like the others; once its lookup is noted, the next command is refused
                assertThat(rcpt(c, "guess6")).startsWith("250 2.1.5 <guess6@example.com>");
                awaitBlock(dir.resolve("a/mail.log"));
                assertThat(c.command("RCPT TO:<guess7@example.com>").raw())
                        .containsExactly("421 4.7.0 mail.example.com Too many invalid requests from your address; closing connection");
                assertThat(c.read()).isNull();
            }
            assertThat(probe(a, "again")).startsWith("421 4.7.0");
            assertThat(probe(b, "again")).startsWith("421 4.7.0");
            // another client is untouched
            try (SmtpClient c = b.greeted()) {
                assertThat(c.command("HELO ok.example.net").code()).isEqualTo(250);
            }
        }
    }

    @Test
    void localCountersAloneDoNotAddUpAcrossNodes() throws Exception {
        try (TestServer a = TestServer.start(dir.resolve("a"), guard("local"));
                TestServer b = TestServer.start(dir.resolve("b"), guard("local"))) {
            for (int i = 1; i <= 8; i++) {
                assertThat(probe(i % 2 == 0 ? a : b, "guess" + i)).startsWith("250 2.1.5");
            }
        }
    }

    @Test
    void aRedisOutageIsLoggedAndSessionsGoOnWithLocalCounters() throws Exception {
        Files.createDirectories(dir.resolve("redis"));
        RedisServer redis = RedisServer.start(dir.resolve("redis"));
        try (TestServer a = TestServer.start(dir.resolve("a"), guard(redis.uri()))) {
            assertThat(probeNoted(a, "before1")).startsWith("250 2.1.5");
            redis.kill();
            for (int i = 1; i <= 4; i++) {
                assertThat(probeNoted(a, "during" + i)).startsWith("250 2.1.5");
            }
            // the local counters kept counting: the 6th distinct name on this node blocks
            assertThat(probe(a, "during5")).startsWith("250 2.1.5");
            awaitBlock(dir.resolve("a/mail.log"));
            assertThat(probe(a, "during6")).startsWith("421 4.7.0");
            try (SmtpClient c = a.greeted()) {
                assertThat(c.command("NOOP").code()).isEqualTo(250);
            }
        } finally {
            redis.close();
        }
    }
}
