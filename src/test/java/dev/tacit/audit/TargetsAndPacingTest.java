package dev.tacit.audit;

import static dev.tacit.audit.FakePeerVerdictTest.audit;
import static dev.tacit.audit.FakePeerVerdictTest.exists;
import static dev.tacit.audit.FakePeerVerdictTest.fast;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.Dns;
import dev.tacit.testing.FakeSmtpPeer;
import dev.tacit.testing.FakeSmtpPeer.Response;
import dev.tacit.testing.TinyDns;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the auditor goes and how politely: a domain becomes its MX hosts (dnsjava, asked of a DNS
 * server on loopback), lowest preference first; host:port and addresses are taken as given; a
 * target file is read line by line. The wordlist run keeps to its connection bound and its rate.
 */
@Timeout(60)
class TargetsAndPacingTest {

    @TempDir
    Path dir;

    @Test
    void aDomainResolvesToItsMxHostsInPreferenceOrder() throws Exception {
        try (TinyDns dns = new TinyDns()) {
            dns.mx("example.test", 20, "mx2.example.test").mx("example.test", 10, "mx1.example.test");
            String[] hostPort = dns.address().split(":");
            Targets targets = new Targets(Dns.resolver(List.of(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]))),
                    Duration.ofSeconds(2)));
            List<Target> t = targets.parse(List.of("example.test"));
            assertThat(t).extracting(Target::host).containsExactly("mx1.example.test", "mx2.example.test");
            assertThat(t).allSatisfy(x -> assertThat(x.port()).isEqualTo(Target.SMTP));
            int asked = dns.queries();
            // an explicit port, an address or a name without MX: no MX hosts to substitute
            assertThat(targets.parse(List.of("mail.example.test:587", "192.0.2.1", "[::1]:465")))
                    .extracting(x -> x.host() + ":" + x.port()).containsExactly("mail.example.test:587", "192.0.2.1:25", "::1:465");
            assertThat(dns.queries()).isEqualTo(asked);
            // port 465 is TLS from the first byte (RFC 8314); 25 and 587 start plain (STARTTLS where offered)
            assertThat(targets.parse(List.of("[::1]:465", "mail.example.test:587", "192.0.2.1"))).extracting(Target::implicitTls)
                    .containsExactly(true, false, false);
            assertThat(targets.parse(List.of("nomx.example.test"))).extracting(Target::host).containsExactly("nomx.example.test");

            Path file = dir.resolve("targets.txt");
            Files.writeString(file, "# our servers\nexample.test\n\n127.0.0.1:2525   # the test box\n");
            assertThat(targets.parseFiles(List.of(file))).extracting(x -> x.host() + ":" + x.port())
                    .containsExactly("mx1.example.test:25", "mx2.example.test:25", "127.0.0.1:2525");
        }
    }

    /** Postfix with VRFY on, each answer taking 40 ms: long enough for parallel connections to overlap. */
    static FakeSmtpPeer slowVrfyPeer(Set<String> users) throws Exception {
        return FakeSmtpPeer.builder().users(users.toArray(String[]::new))
                .on("VRFY", r -> (exists(r, users) ? Response.of("252 2.0.0 " + r.arg())
                        : Response.of("550 5.1.1 <" + r.arg() + ">: Recipient address rejected: User unknown")).delayed(Duration.ofMillis(40)))
                .start();
    }

    static List<String> words(int n) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add("w" + i);
        }
        return w;
    }

    @Test
    void theWordlistRunKeepsToItsConnectionBound() throws Exception {
        Set<String> users = Set.of("postmaster", "w7", "w21");
        try (FakeSmtpPeer p = slowVrfyPeer(users)) {
            TargetReport probe = audit(p, fast());
            AuditOptions o = fast().withPace(3, 0);
            Enumerator en = new Enumerator(probe.target(), o, probe.method(Method.VRFY), null, Integer.MAX_VALUE,
                    () -> ProbeSession.open(probe.target(), o, new Transcript(), false), Progress.NONE);
            Enumerator.Result res = en.run(words(36));
            assertThat(res.hits()).extracting(UserHit::name).containsExactlyInAnyOrder("w7", "w21");
            assertThat(p.maxConcurrentConnections()).as("at most --concurrency connections").isBetween(2, 3);
        }
    }

    @Test
    void theWordlistRunKeepsToItsRate() throws Exception {
        Set<String> users = Set.of("postmaster", "w3");
        try (FakeSmtpPeer p = slowVrfyPeer(users)) {
            TargetReport probe = audit(p, fast());
            AuditOptions o = fast().withPace(4, 20);
            List<int[]> updates = java.util.Collections.synchronizedList(new ArrayList<>());
            Enumerator en = new Enumerator(probe.target(), o, probe.method(Method.VRFY), null, Integer.MAX_VALUE,
                    () -> ProbeSession.open(probe.target(), o, new Transcript(), false),
                    (t, done, total, found) -> updates.add(new int[] {done, total, found}));
            long t0 = System.nanoTime();
            Enumerator.Result res = en.run(words(21));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(res.hits()).extracting(UserHit::name).containsExactly("w3");
            // 21 names at 20 names/s, whatever the concurrency: at least 20 intervals of 50 ms
            assertThat(ms).isGreaterThanOrEqualTo(1000);
            // the progress line's feed: every name counted, ending at 21 of 21 with the one found
            assertThat(updates).isNotEmpty();
            assertThat(updates.get(updates.size() - 1)).containsExactly(21, 21, 1);
        }
    }
}
