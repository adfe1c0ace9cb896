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
 * statistically indistinguishable under the enumeration defence, and plainly different without it.
 * Under the defence an untrusted client's RCPT is answered before the lookup ends (it runs off the
 * session's thread), so the replies neither wait for the slow lookup nor for the latency envelope;
 * VRFY still leaves after the envelope.
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
        try (TestServer ts = TestServer.start(d, toml + "[guard]\nenabled = false\n[log]\nstdout = false\nfile = \"mail.log\"\n", TestServer.USERS, TestServer.ALIASES,
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
                            // each name goes first in half of the transactions, so its position says nothing
                            String real = "RCPT TO:<" + existing[(i + seed) % existing.length] + "@example.com>";
                            String made = "RCPT TO:<nobody" + seed + "x" + i + "@example.com>";
                            if (i % 2 == 0) {
                                known[i] = c.command(real).nanos() / 1e6;
                                unknown[i] = c.command(made).nanos() / 1e6;
                            } else {
                                unknown[i] = c.command(made).nanos() / 1e6;
                                known[i] = c.command(real).nanos() / 1e6;
                            }
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
    void theDefenceHidesA50msLookupDifferenceWithoutWaitingForIt() throws Exception {
        double[][] on = measure("[enumeration]\nlatency = \"80ms\"\njitter = \"10ms\"\n", Duration.ofMillis(50));
        Stats.Ks ks = Stats.kolmogorovSmirnov(on[0], on[1]);
        System.out.printf("defence on: median known %.3f ms, unknown %.3f ms, KS D=%.3f p=%.3f%n",
                Stats.median(on[0]), Stats.median(on[1]), ks.d(), ks.p());
        // neither the 50 ms lookup nor the 80 ms envelope is in the answer
        assertThat(Stats.median(on[0])).isLessThan(25);
        assertThat(Stats.median(on[1])).isLessThan(25);
        assertThat(ks.p()).as("indistinguishable with the defence on").isGreaterThan(0.001);

        double[][] off = measure("enumeration_defense = false\n", Duration.ofMillis(50));
        Stats.Ks ksOff = Stats.kolmogorovSmirnov(off[0], off[1]);
        System.out.printf("envelope off: median known %.2f ms, unknown %.2f ms, KS D=%.3f p=%.2e%n",
                Stats.median(off[0]), Stats.median(off[1]), ksOff.d(), ksOff.p());
        assertThat(ksOff.p()).as("the same test sees the lookup without the envelope").isLessThan(1e-6);
    }

    @Test
    void vrfyStillLeavesAfterTheEnvelope() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[enumeration]\nlatency = \"80ms\"\njitter = \"0ms\"\n[guard]\nenabled = false\n");
                SmtpClient c = ts.greeted()) {
            c.command("EHLO timing.example.net");
            for (String name : new String[] {"gw", "nobody"}) {
                SmtpClient.Response r = c.command("VRFY " + name);
                assertThat(r.code()).isEqualTo(252);
                assertThat(r.nanos()).as("VRFY %s", name).isGreaterThanOrEqualTo(80_000_000L);
            }
        }
    }

    @Test
    void withoutTheEnvelopeTheTestDetectsA1msShift() throws Exception {
        double[][] off = measure("enumeration_defense = false\n", Duration.ofMillis(1));
        Stats.Ks ks = Stats.kolmogorovSmirnov(off[0], off[1]);
        System.out.printf("1 ms shift, envelope off: median known %.3f ms, unknown %.3f ms, KS D=%.3f p=%.2e%n",
                Stats.median(off[0]), Stats.median(off[1]), ks.d(), ks.p());
        assertThat(ks.p()).as("the sample size is enough to see a 1 ms shift").isLessThan(0.001);
    }
}
