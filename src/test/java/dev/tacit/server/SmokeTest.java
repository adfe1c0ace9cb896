package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {

    @Test
    void acceptsAndDeliversOneMessage(@TempDir Path dir) throws Exception {
        try (TestServer ts = TestServer.start(dir, "");
                SmtpClient c = ts.connect()) {
            assertThat(c.read().raw()).containsExactly("220 mail.example.com ESMTP");
            assertThat(c.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<a@example.org>").raw()).containsExactly("250 2.1.0 <a@example.org>... Sender ok");
            assertThat(c.command("RCPT TO:<gw@example.com>").raw()).containsExactly("250 2.1.5 <gw@example.com>... Recipient ok");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            SmtpClient.Response r = c.data("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.text()).matches("2\\.0\\.0 [0-9A-Za-x]{8}\\d{6} Message accepted for delivery");
            assertThat(ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0)).contains("Delivered-To: gw@mail.example.com\n", "Subject: hi\n\nhello\n")
                    .doesNotContain("\r\n");
        }
    }
}
