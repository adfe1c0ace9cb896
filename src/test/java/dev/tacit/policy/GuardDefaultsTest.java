package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.config.TacitConfig;
import dev.tacit.events.MailLog;
import dev.tacit.events.Metrics;
import dev.tacit.events.ProbeEvents;
import dev.tacit.testing.TestServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard as shipped, with no guard keys set: the defence is on, no network is trusted (loopback
 * neither, so a local prober sees what a remote one sees), and one source reaching 50 distinct unknown
 * names is blocked at the 50th, having been tarpitted and refused on the way; the block expires.
 */
class GuardDefaultsTest {

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        long millis = 1_800_000_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void noNetworkIsTrustedByDefaultNotEvenLoopback() throws Exception {
        TacitConfig cfg = TestServer.config(dir, "");
        assertThat(cfg.defense().enabled()).isTrue();
        for (String a : new String[] {"127.0.0.1", "::1", "10.0.0.1", "192.168.1.1"}) {
            assertThat(cfg.defense().trusted().contains(InetAddress.getByName(a))).as(a).isFalse();
        }
        assertThat(cfg.guard().enabled()).isTrue();
        // a bare configuration: counters kept locally, /metrics on loopback only
        java.nio.file.Files.writeString(dir.resolve("users"), "gw:George Washington\n");
        TacitConfig bare = dev.tacit.config.ConfigLoader.parse("hostname = \"mx.example.com\"\ndata_dir = \".\"\nusers_file = \"users\"\n",
                dir.resolve("tacit.toml"));
        assertThat(bare.counters()).isEqualTo("local");
        assertThat(bare.adminListen()).isEqualTo("127.0.0.1:9025");
        assertThat(bare.defense().trusted().isEmpty()).isTrue();
    }

    @Test
    void aLoopbackSourceIsEscalatedWithin50DistinctUnknownNames() throws Exception {
        TacitConfig cfg = TestServer.config(dir, "");
        TacitConfig.Guard g = cfg.guard();
        ManualClock clock = new ManualClock();
        Metrics metrics = new Metrics();
        EnumerationGuard guard = new EnumerationGuard(g, new LocalGuardStore(g.window(), g.blockAfter() + 1, g.maxSources()),
                new MailLog(0), ProbeEvents.NONE, metrics, clock);
        InetAddress ip = InetAddress.getByName("127.0.0.1");
        EnumerationGuard.Level level = EnumerationGuard.Level.NONE;
        int firstTarpit = 0;
        int firstRefuse = 0;
        int firstBlock = 0;
        for (int i = 1; i <= 60 && firstBlock == 0; i++) {
            // a reconnecting prober: a new HELO and sender each time, the same address
            List<String> keys = EnumerationGuard.keys(ip, "h" + i + ".example.net", "p" + i + "@example.org");
            level = guard.note(keys, ip, "rcpt", "guess" + i, guard.assess(keys));
            clock.millis += 1000;
            if (level == EnumerationGuard.Level.TARPIT && firstTarpit == 0) {
                firstTarpit = i;
            }
            if (level == EnumerationGuard.Level.REFUSE && firstRefuse == 0) {
                firstRefuse = i;
            }
            if (level == EnumerationGuard.Level.BLOCK) {
                firstBlock = i;
            }
        }
        assertThat(firstTarpit).isEqualTo(g.tarpitAfter()).isEqualTo(10);
        assertThat(firstRefuse).isEqualTo(g.refuseAfter()).isEqualTo(25);
        assertThat(firstBlock).isEqualTo(g.blockAfter()).isEqualTo(50);
        // the same name again counts once: a client retrying one address is not a prober
        InetAddress other = InetAddress.getByName("192.0.2.9");
        for (int i = 0; i < 100; i++) {
            List<String> keys = EnumerationGuard.keys(other, "mx.example.net", "list@example.org");
            assertThat(guard.note(keys, other, "rcpt", "stale-address", EnumerationGuard.Level.NONE)).isEqualTo(EnumerationGuard.Level.NONE);
        }
        // a neighbour in the prober's /24 is blocked too; the block ends after guard.block_duration
        List<String> neighbour = EnumerationGuard.keys(InetAddress.getByName("127.0.0.77"), null, null);
        assertThat(guard.assess(neighbour)).isEqualTo(EnumerationGuard.Level.BLOCK);
        clock.millis += g.blockDuration().toMillis() + 1;
        assertThat(guard.assess(EnumerationGuard.keys(ip, null, null))).isNotEqualTo(EnumerationGuard.Level.BLOCK);
    }

    /** A prober that changes networks for every guess is still caught by the HELO name, or the MAIL FROM, it keeps. */
    @Test
    void heloAndSenderKeysCatchAProberThatChangesNetworks() throws Exception {
        TacitConfig.Guard g = TestServer.config(dir, "[guard]\ntarpit_after = 3\nrefuse_after = 4\nblock_after = 5\n").guard();
        for (String keep : new String[] {"helo", "from"}) {
            EnumerationGuard guard = new EnumerationGuard(g, new LocalGuardStore(g.window(), g.blockAfter() + 1, g.maxSources()),
                    new MailLog(0), ProbeEvents.NONE, new Metrics(), new ManualClock());
            EnumerationGuard.Level level = EnumerationGuard.Level.NONE;
            for (int i = 1; i <= 5; i++) {
                InetAddress ip = InetAddress.getByName("198.51." + i + ".7"); // a new /24 every time
                List<String> keys = EnumerationGuard.keys(ip, keep.equals("helo") ? "scanner.example.net" : "h" + i,
                        keep.equals("from") ? "probe@example.org" : "p" + i + "@example.org");
                level = guard.note(keys, ip, "rcpt", "guess" + i, EnumerationGuard.Level.NONE);
                assertThat(level).as("%s, guess %d", keep, i).isEqualTo(i < 3 ? EnumerationGuard.Level.NONE
                        : i < 4 ? EnumerationGuard.Level.TARPIT : i < 5 ? EnumerationGuard.Level.REFUSE : EnumerationGuard.Level.BLOCK);
            }
            // the block sits on the kept key: a sixth network with the same HELO (or sender) is blocked at once
            InetAddress fresh = InetAddress.getByName("203.0.113.9");
            assertThat(guard.assess(EnumerationGuard.keys(fresh, keep.equals("helo") ? "scanner.example.net" : "other",
                    keep.equals("from") ? "probe@example.org" : null))).isEqualTo(EnumerationGuard.Level.BLOCK);
            assertThat(guard.assess(EnumerationGuard.keys(fresh, "other", null))).isEqualTo(EnumerationGuard.Level.NONE);
        }
    }

    @Test
    void ipv6SourcesAreGroupedBy64() throws Exception {
        List<String> a = EnumerationGuard.keys(InetAddress.getByName("2001:db8:1:2::5"), null, null);
        List<String> b = EnumerationGuard.keys(InetAddress.getByName("2001:db8:1:2:ffff::9"), null, null);
        List<String> c = EnumerationGuard.keys(InetAddress.getByName("2001:db8:1:3::5"), null, null);
        assertThat(a.get(1)).isEqualTo(b.get(1)).isNotEqualTo(c.get(1));
        assertThat(a.get(0)).isNotEqualTo(b.get(0));
    }
}
