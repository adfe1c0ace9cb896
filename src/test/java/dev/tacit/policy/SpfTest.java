package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.Dns;
import dev.tacit.testing.TinyDns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SPF check_host() against a real DNS server on loopback (TinyDns), for the backscatter rule. */
class SpfTest {

    static TinyDns dns;
    static Spf spf;

    @BeforeAll
    static void start() throws Exception {
        dns = new TinyDns();
        dns.txt("pass4.test", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("fail.test", "v=spf1 -all")
                .txt("soft.test", "v=spf1 ~all")
                .txt("neutral.test", "v=spf1 ip4:198.51.100.1")
                .txt("viaa.test", "v=spf1 a -all").a("viaa.test", "192.0.2.44")
                .txt("viamx.test", "v=spf1 mx/24 -all").mx("viamx.test", 10, "mx.viamx.test").a("mx.viamx.test", "203.0.113.9")
                .txt("inc.test", "v=spf1 include:pass4.test -all")
                .txt("redir.test", "v=spf1 redirect=pass4.test")
                .txt("six.test", "v=spf1 ip6:2001:db8::/32 -all")
                .txt("two.test", "v=spf1 -all").txt("two.test", "v=spf1 +all")
                .txt("macro.test", "v=spf1 exists:%{i}.x.test -all")
                .txt("notspf.test", "some verification token")
                .txt("badip.test", "v=spf1 ip4:300.1.1.1 +all")
                .txt("badcidr.test", "v=spf1 ip4:192.0.2.0/33 +all")
                .txt("badlen.test", "v=spf1 a/xx +all").a("badlen.test", "192.0.2.7")
                .txt("voids.test", "v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test -all")
                .txt("dnsdown.test", "v=spf1 include:down.test -all").failing("down.test");
        StringBuilder loop = new StringBuilder("v=spf1");
        for (int i = 0; i < 11; i++) {
            dns.txt("l" + i + ".test", "v=spf1 -all");
            loop.append(" include:l").append(i).append(".test");
        }
        dns.txt("many.test", loop + " +all");
        spf = new Spf(Dns.resolver(List.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(dns.address().split(":")[1]))),
                Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
    }

    private static Spf.Result check(String ip, String domain) throws Exception {
        return spf.check(InetAddress.getByName(ip), domain);
    }

    @Test
    void mechanismsAndQualifiers() throws Exception {
        assertThat(check("192.0.2.7", "pass4.test")).isEqualTo(Spf.Result.PASS);
        assertThat(check("198.51.100.7", "pass4.test")).isEqualTo(Spf.Result.FAIL);
        assertThat(check("192.0.2.7", "fail.test")).isEqualTo(Spf.Result.FAIL);
        assertThat(check("192.0.2.7", "soft.test")).isEqualTo(Spf.Result.SOFTFAIL);
        assertThat(check("192.0.2.7", "neutral.test")).isEqualTo(Spf.Result.NEUTRAL);
        assertThat(check("192.0.2.44", "viaa.test")).isEqualTo(Spf.Result.PASS);
        assertThat(check("192.0.2.45", "viaa.test")).isEqualTo(Spf.Result.FAIL);
        assertThat(check("203.0.113.200", "viamx.test")).isEqualTo(Spf.Result.PASS);
        assertThat(check("203.0.114.1", "viamx.test")).isEqualTo(Spf.Result.FAIL);
        assertThat(check("192.0.2.7", "inc.test")).isEqualTo(Spf.Result.PASS);
        assertThat(check("10.0.0.1", "inc.test")).isEqualTo(Spf.Result.FAIL);
        assertThat(check("192.0.2.7", "redir.test")).isEqualTo(Spf.Result.PASS);
        assertThat(check("2001:db8::5", "six.test")).isEqualTo(Spf.Result.PASS);
        assertThat(check("192.0.2.7", "six.test")).isEqualTo(Spf.Result.FAIL);
    }

    @Test
    void errorsAreNeverAPass() throws Exception {
        assertThat(check("192.0.2.7", "nosuchdomain.test")).isEqualTo(Spf.Result.NONE);
        assertThat(check("192.0.2.7", "notspf.test")).isEqualTo(Spf.Result.NONE);
        assertThat(check("192.0.2.7", "two.test")).isEqualTo(Spf.Result.PERMERROR);
        assertThat(check("192.0.2.7", "macro.test")).isEqualTo(Spf.Result.PERMERROR);
        // a malformed address or prefix length in the sender's record is its syntax error, not ours
        assertThat(check("192.0.2.7", "badip.test")).isEqualTo(Spf.Result.PERMERROR);
        assertThat(check("192.0.2.7", "badcidr.test")).isEqualTo(Spf.Result.PERMERROR);
        assertThat(check("192.0.2.7", "badlen.test")).isEqualTo(Spf.Result.PERMERROR);
        assertThat(check("192.0.2.7", "voids.test")).isEqualTo(Spf.Result.PERMERROR);
        assertThat(check("192.0.2.7", "many.test")).as("more than 10 DNS-querying terms").isEqualTo(Spf.Result.PERMERROR);
        assertThat(check("192.0.2.7", "dnsdown.test")).isEqualTo(Spf.Result.TEMPERROR);
    }
}
