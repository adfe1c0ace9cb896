package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** RFC 4954 responses and RFC 4616 PLAIN messages, good and bad. */
class SaslTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainMessages() {
        Sasl.Credentials c = Sasl.plain(b("\0gw\0secret"));
        assertThat(c.authzid()).isEmpty();
        assertThat(c.authcid()).isEqualTo("gw");
        assertThat(new String(c.password(), StandardCharsets.UTF_8)).isEqualTo("secret");
        assertThat(c.toString()).doesNotContain("secret");
        Sasl.Credentials z = Sasl.plain(b("gw\0gw@example.com\0pässwörd"));
        assertThat(z.authzid()).isEqualTo("gw");
        assertThat(z.authcid()).isEqualTo("gw@example.com");
        // RFC 4616 examples: the password may contain anything but NUL
        assertThat(Sasl.plain(b("\0tim\0tanstaaftanstaaf")).authcid()).isEqualTo("tim");
        for (String bad : new String[] {"", "gw", "\0gw", "\0\0secret", "\0gw\0", "\0gw\0se\0cret", "\0g\u0001w\0secret"}) {
            assertThat(Sasl.plain(b(bad))).as(bad.replace("\0", "\\0")).isNull();
        }
        assertThat(Sasl.plain(new byte[] {0, 'g', (byte) 0xff, 0, 'x'})).as("not UTF-8").isNull();
        assertThat(Sasl.plain(b("\0gw\0" + "x".repeat(256)))).as("longer than 255").isNull();
    }

    @Test
    void base64IsStrict() {
        assertThat(Sasl.decode("=")).isEmpty();
        assertThat(Sasl.decode(Sasl.encode("\0gw\0secret"))).isEqualTo(b("\0gw\0secret"));
        assertThat(Sasl.encode("Username:")).isEqualTo("VXNlcm5hbWU6");
        for (String bad : new String[] {"", "abc", "ab cd", "ab=c", "####", "AAAA\u00e9AAA", "Zg"}) {
            assertThat(Sasl.decode(bad)).as(bad).isNull();
        }
        assertThat(Sasl.cancelled("*")).isTrue();
        assertThat(Sasl.cancelled("**")).isFalse();
    }
}
