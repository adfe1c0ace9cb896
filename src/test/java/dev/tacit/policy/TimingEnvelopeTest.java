package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.directory.Alias;
import dev.tacit.directory.Directory;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.User;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.Stats;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timing: with a directory that answers at once for unknown names and slowly for real ones (a cold
 * cache, a database round trip), the RCPT response times for real and unknown users must be
 * statistically indistinguishable with the latency envelope on, and plainly different with it off.
 */
class TimingEnvelopeTest {

    @TempDir
    Path dir;

    static final int PER_GROUP = 240;

    /** The site's directory, made slow for names that exist: the latency a real backend would add. */
    static Directory slowForExisting(Directory d, Duration slow) {
        return new Directory() {
            private <T> Optional<T> slow(Optional<T> r) {
                if (r.isPresent()) {
                    try {
                        Thread.sleep(slow);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return r;
            }

            @Override
            public Optional<User> user(String login) throws DirectoryUnavailableException {
                return slow(d.user(login));
            }

            @Override
            public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
                return slow(d.alias(name));
            }
        };
    }

    /** RCPT round-trip times in ms, [0] for existing users, [1] for unknown ones. */
    private double[][] measure(String toml, Duration slow) throws Exception {
        Path d = java.nio.file.Files.createTempDirectory(dir, "t");
        try (TestServer ts = TestServer.start(d, toml + "[guard]\nenabled = false\n", TestServer.USERS, TestServer.ALIASES,
                dir0 -> slowForExisting(dir0, slow))) {
            String[] existing = {"gw", "tj", "bf", "br", "jqp"};
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<double[][]>> parts = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                parts.add(pool.submit(() -> {
                    double[] known = new double[PER_GROUP / 4];
                    double[] unknown = new double[PER_GROUP / 4];
                    try (SmtpClient c = ts.greeted()) {
                        c.command("EHLO timing.example.net");
                        for (int i = 0; i < PER_GROUP / 4; i++) {
                            c.command("RSET");
                            c.command("MAIL FROM:<t@example.org>");
                            known[i] = c.command("RCPT TO:<" + existing[(i + seed) % existing.length] + "@example.com>").nanos() / 1e6;
                            unknown[i] = c.command("RCPT TO:<nobody" + seed + "x" + i + "@example.com>").nanos() / 1e6;
                        }
                    }
                    return new double[][] {known, unknown};
                }));
            }
            double[] known = new double[PER_GROUP];
            double[] unknown = new double[PER_GROUP];
            int k = 0;
            for (Future<double[][]> f : parts) {
                double[][] r = f.get();
                System.arraycopy(r[0], 0, known, k, r[0].length);
                System.arraycopy(r[1], 0, unknown, k, r[1].length);
                k += r[0].length;
            }
            pool.shutdown();
            return new double[][] {known, unknown};
        }
    }

    @Test
    void envelopeHidesA50msLookupDifference() throws Exception {
        double[][] on = measure("[enumeration]\nlatency = \"80ms\"\njitter = \"10ms\"\n", Duration.ofMillis(50));
        Stats.Ks ks = Stats.kolmogorovSmirnov(on[0], on[1]);
        System.out.printf("envelope on: median known %.2f ms, unknown %.2f ms, KS D=%.3f p=%.3f%n",
                Stats.median(on[0]), Stats.median(on[1]), ks.d(), ks.p());
        assertThat(Stats.median(on[0])).isGreaterThanOrEqualTo(80);
        assertThat(ks.p()).as("indistinguishable with the envelope on").isGreaterThan(0.001);

        double[][] off = measure("enumeration_defense = false\n", Duration.ofMillis(50));
        Stats.Ks ksOff = Stats.kolmogorovSmirnov(off[0], off[1]);
        System.out.printf("envelope off: median known %.2f ms, unknown %.2f ms, KS D=%.3f p=%.2e%n",
                Stats.median(off[0]), Stats.median(off[1]), ksOff.d(), ksOff.p());
        assertThat(ksOff.p()).as("the same test sees the lookup without the envelope").isLessThan(1e-6);
    }

    @Test
    void withoutTheEnvelopeTheTestDetectsA1msShift() throws Exception {
        double[][] off = measure("enumeration_defense = false\n", Duration.ofMillis(1));
        Stats.Ks ks = Stats.kolmogorovSmirnov(off[0], off[1]);
        System.out.printf("1 ms shift, envelope off: median known %.3f ms, unknown %.3f ms, KS D=%.3f p=%.2e%n",
                Stats.median(off[0]), Stats.median(off[1]), ks.d(), ks.p());
        assertThat(ks.p()).as("the sample size is enough to see a 1 ms shift").isLessThan(0.001);
    }

    /** VRFY and EXPN replies to an untrusted client leave after the envelope too; a trusted client gets no envelope. */
    @Test
    void vrfyAndExpnLeaveAfterTheEnvelopeForUntrustedClientsOnly() throws Exception {
        String toml = "privacy_options = \"public\"\n%s[enumeration]\nlatency = \"400ms\"\njitter = \"0ms\"\n[guard]\nenabled = false\n";
        String[] commands = {"VRFY gw", "VRFY nosuchuser", "EXPN all", "EXPN nosuchuser", "RCPT TO:<gw@example.com>",
            "RCPT TO:<nosuchuser@example.com>"};
        try (TestServer ts = TestServer.start(dir.resolve("untrusted"), toml.formatted(""), TestServer.USERS, TestServer.ALIASES,
                d -> slowForExisting(d, Duration.ofMillis(50))); SmtpClient c = ts.greeted()) {
            c.command("EHLO timing.example.net");
            c.command("MAIL FROM:<t@example.org>");
            for (String cmd : commands) {
                SmtpClient.Response r = c.command(cmd);
                assertThat(r.nanos()).as(cmd + " -> " + r.raw()).isGreaterThanOrEqualTo(400_000_000L);
            }
        }
        try (TestServer ts = TestServer.start(dir.resolve("trusted"), toml.formatted("trusted_networks = [\"127.0.0.0/8\"]\n"));
                SmtpClient c = ts.greeted()) {
            c.command("EHLO timing.example.net");
            c.command("MAIL FROM:<t@example.org>");
            for (String cmd : commands) {
                SmtpClient.Response r = c.command(cmd);
                assertThat(r.nanos()).as(cmd + " -> " + r.raw()).isLessThan(400_000_000L);
            }
            // trusted: the per-user answers, so the envelope was not skipped for nothing
            assertThat(c.command("VRFY nosuchuser").raw()).containsExactly("550 5.1.1 nosuchuser... User unknown");
        }
    }
}
