package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DSN extension on the wire (RFC 3461): advertised in sendmail's place unless PrivacyOptions has
 * noreceipts; NOTIFY, ORCPT, RET and ENVID checked with sendmail's replies; all refused with 504
 * when DSN is not offered.
 */
class DsnProtocolTest {

    @TempDir
    Path dir;

    private static String say(SmtpClient c, String line) throws Exception {
        return c.command(line).toString();
    }

    @Test
    void parametersAreCheckedAsSendmailChecksThem() throws Exception {
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"goaway\"\ntrusted_networks = [\"127.0.0.0/8\"]\n");
                SmtpClient c = ts.greeted()) {
            assertThat(say(c, "EHLO x")).contains("250-SIZE 26214400\\r\\n250-DSN\\r\\n250-ETRN".replace("\\r\\n", "\n"));
            assertThat(say(c, "MAIL FROM:<a@example.org> RET")).isEqualTo("501 5.5.2 RET requires a value");
            assertThat(say(c, "MAIL FROM:<a@example.org> RET=BODY")).isEqualTo("501 5.5.2 Bad argument \"BODY\" to RET");
            assertThat(say(c, "MAIL FROM:<a@example.org> ENVID=a+zz")).isEqualTo("501 5.5.4 Syntax error in ENVID parameter value");
            assertThat(say(c, "MAIL FROM:<a@example.org> ENVID=" + "x".repeat(101))).isEqualTo("501 5.5.4 Syntax error in ENVID parameter value");
            assertThat(say(c, "MAIL FROM:<a@example.org> RET=hdrs ENVID=QQ+2B1")).isEqualTo("250 2.1.0 <a@example.org>... Sender ok");
            assertThat(say(c, "RCPT TO:<gw@example.com> NOTIFY")).isEqualTo("501 5.5.2 NOTIFY requires a value");
            assertThat(say(c, "RCPT TO:<gw@example.com> NOTIFY=SOMETIMES")).isEqualTo("501 5.5.4 Bad argument \"SOMETIMES\"  to NOTIFY");
            assertThat(say(c, "RCPT TO:<gw@example.com> NOTIFY=NEVER,SUCCESS")).isEqualTo("501 5.5.4 Bad argument \"NEVER\"  to NOTIFY");
            assertThat(say(c, "RCPT TO:<gw@example.com> ORCPT=gw@example.com")).isEqualTo("501 5.5.4 Syntax error in ORCPT parameter value");
            assertThat(say(c, "RCPT TO:<gw@example.com> ORCPT=rfc822;a b")).isEqualTo("555 5.5.4 B parameter unrecognized");
            assertThat(say(c, "RCPT TO:<gw@example.com> ORCPT=rfc822;gw+4x")).isEqualTo("501 5.5.4 Syntax error in ORCPT parameter value");
            assertThat(say(c, "RCPT TO:<gw@example.com> BY=1;R")).isEqualTo("555 5.5.4 BY parameter unrecognized");
            assertThat(say(c, "RCPT TO:<gw@example.com> notify=success,delay,FAILURE ORCPT=rfc822;gw+2Bx@example.com"))
                    .isEqualTo("250 2.1.5 <gw@example.com>... Recipient ok");
            assertThat(say(c, "RCPT TO:<tj@example.com> NOTIFY=NEVER")).isEqualTo("250 2.1.5 <tj@example.com>... Recipient ok");
        }
    }

    @Test
    void noreceiptsHidesDsnAndRefusesItsParameters() throws Exception {
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"goaway,noreceipts\"\n");
                SmtpClient c = ts.greeted()) {
            assertThat(say(c, "EHLO x")).doesNotContain("DSN");
            assertThat(say(c, "MAIL FROM:<a@example.org> RET=FULL")).isEqualTo("504 5.7.0 Sorry, RET not supported, we do not allow DSN");
            assertThat(say(c, "MAIL FROM:<a@example.org> ENVID=1")).isEqualTo("504 5.7.0 Sorry, ENVID not supported, we do not allow DSN");
            assertThat(say(c, "MAIL FROM:<a@example.org>")).startsWith("250 ");
            assertThat(say(c, "RCPT TO:<gw@example.com> NOTIFY=SUCCESS"))
                    .isEqualTo("504 5.7.0 Sorry, NOTIFY not supported, we do not allow DSN");
            assertThat(say(c, "RCPT TO:<gw@example.com> ORCPT=rfc822;gw@example.com"))
                    .isEqualTo("504 5.7.0 Sorry, ORCPT not supported, we do not allow DSN");
        }
    }
}
