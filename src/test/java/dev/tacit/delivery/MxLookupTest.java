package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.TargetStatus;
import dev.tacit.testing.SmtpSink;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TinyDns;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MX routing through a DNS server on loopback (dnsjava on both sides): preference order with
 * fallback when the best MX refuses, the implicit MX, RFC 7505's null MX, a domain that does not
 * exist, and a DNS failure that must defer rather than bounce. The MX hosts are different loopback
 * addresses (127.0.0.2 has nothing listening), so "refused" and "delivered" are real connections.
 */
class MxLookupTest {

    @TempDir
    Path dir;

    @Test
    void followsMxPreferenceAndFallsBackWhenTheBestMxRefuses() throws Exception {
        try (TinyDns dns = new TinyDns();
                SmtpSink sink = SmtpSink.start(dir, "127.0.0.1")) {
            dns.mx("example.net", 10, "mx1.example.net").mx("example.net", 20, "mx2.example.net")
                    .a("mx1.example.net", "127.0.0.2").a("mx2.example.net", "127.0.0.1");
            try (TestServer ts = tacit(dns, sink.port(), "friend: friend@example.net")) {
                String qid = Mail.send(ts, "<gw@example.com>", List.of("friend@example.com"), Mail.body("via mx", "x"));
                assertThat(sink.await(1, Duration.ofSeconds(15)).get(0)).contains("X-Rcpt-Args: <friend@example.net>");
                Mail.drained(ts, Duration.ofSeconds(10));
                assertThat(Mail.awaitLog(ts.dataDir(), Duration.ofSeconds(5), qid, "stat=Sent"))
                        .contains("relay=mx2.example.net. [127.0.0.1], dsn=2.0.0");
            }
        }
    }

    @Test
    void resolverAnswersEachCaseAsRfc5321AndRfc7505Say() throws Exception {
        try (TinyDns dns = new TinyDns()) {
            dns.mx("good.test", 10, "mx.good.test").a("mx.good.test", "127.0.0.1")
                    .a("implicit.test", "127.0.0.1")
                    .mx("nullmx.test", 0, ".")
                    .mx("ghostmx.test", 10, "ghost.ghostmx.test")
                    .failing("broken.test");
            MxResolver r = new MxResolver(List.of(new InetSocketAddress("127.0.0.1", port(dns))),
                    Map.of("routed.test", new MxResolver.Static("127.0.0.1", 2525)), 25, Duration.ofSeconds(2));
            assertThat(r.route("good.test")).isInstanceOfSatisfying(MxResolver.Route.Hops.class,
                    h -> assertThat(h.hops()).singleElement().satisfies(hop -> {
                        assertThat(hop.host()).isEqualTo("mx.good.test");
                        assertThat(hop.port()).isEqualTo(25);
                        assertThat(hop.addresses()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.1");
                    }));
            assertThat(r.route("implicit.test")).isInstanceOfSatisfying(MxResolver.Route.Hops.class,
                    h -> assertThat(h.hops().get(0).host()).isEqualTo("implicit.test"));
            assertThat(r.route("nullmx.test")).isEqualTo(new MxResolver.Route.Fatal("5.1.10",
                    "Domain nullmx.test does not accept mail (null MX)"));
            assertThat(r.route("nosuch.test")).isInstanceOfSatisfying(MxResolver.Route.Fatal.class,
                    f -> assertThat(f.status()).isEqualTo("5.1.2"));
            assertThat(r.route("ghostmx.test")).isInstanceOfSatisfying(MxResolver.Route.Fatal.class,
                    f -> assertThat(f.status()).isEqualTo("5.4.4"));
            assertThat(r.route("broken.test")).isInstanceOfSatisfying(MxResolver.Route.Retry.class,
                    f -> assertThat(f.status()).isEqualTo("4.4.3"));
            assertThat(r.route("ROUTED.test.")).isInstanceOfSatisfying(MxResolver.Route.Hops.class,
                    h -> assertThat(h.hops().get(0).port()).isEqualTo(2525));
            assertThat(r.route("[127.0.0.1]")).isInstanceOfSatisfying(MxResolver.Route.Hops.class,
                    h -> assertThat(h.hops().get(0).addresses().get(0).getHostAddress()).isEqualTo("127.0.0.1"));
        }
    }

    @Test
    void aNullMxOrUnknownDomainBouncesAtOnceAndADnsFailureDefers() throws Exception {
        try (TinyDns dns = new TinyDns()) {
            dns.mx("nullmx.test", 0, ".").failing("broken.test");
            try (TestServer ts = tacit(dns, 25, "n: someone@nullmx.test\nu: someone@nosuch.test\nb: someone@broken.test")) {
                Mail.send(ts, "<gw@example.com>", List.of("n@example.com"), Mail.body("null mx", "x"));
                Mail.Report r = Mail.report(ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0));
                assertThat(r.field(0, "Status")).isEqualTo("5.1.10");
                assertThat(r.field(0, "Remote-MTA")).isNull();

                Mail.send(ts, "<gw@example.com>", List.of("u@example.com"), Mail.body("no such domain", "x"));
                List<String> two = ts.maildirs().await("gw", 2, Duration.ofSeconds(10));
                assertThat(two).anySatisfy(m -> assertThat(m).contains("Status: 5.1.2", "Host unknown"));

                String qid = Mail.send(ts, "<gw@example.com>", List.of("b@example.com"), Mail.body("dns down", "x"));
                QueuedMessage m = ts.server().spool().get(qid);
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (m.attempts(0) < 1 && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertThat(m.status(0)).isEqualTo(TargetStatus.DEFERRED);
                assertThat(m.info().lastError()).startsWith("Host unknown (name server broken.test");
            }
        }
    }

    private static int port(TinyDns dns) {
        return Integer.parseInt(dns.address().substring(dns.address().lastIndexOf(':') + 1));
    }

    private TestServer tacit(TinyDns dns, int remotePort, String aliases) throws Exception {
        return TestServer.start(dir.resolve("tacit"), """
                [log]
                file = "maillog"
                stdout = false
                [queue]
                retry_initial = "5s"
                fsync = false
                [delivery]
                dns_servers = ["%s"]
                remote_port = %d
                connect_timeout = "2s"
                command_timeout = "10s"
                """.formatted(dns.address(), remotePort), TestServer.USERS, TestServer.ALIASES + aliases + "\n");
    }
}
