package dev.tacit.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics on the admin listener, scraped over HTTP like Prometheus does, after real traffic. */
class MetricsTest {

    @TempDir
    Path dir;

    @Test
    void countersFollowTraffic() throws Exception {
        try (TestServer ts = TestServer.start(dir, "[guard]\ntarpit_after = 2\ntarpit_delay = \"1ms\"\nrefuse_after = 50\nblock_after = 60\n")) {
            try (SmtpClient c = ts.greeted()) {
                c.command("EHLO m.example.net");
                c.command("VRFY gw");
                c.command("DEBUG");
                c.command("MAIL FROM:<a@example.org>");
                c.command("RCPT TO:<gw@example.com>");
                c.command("RCPT TO:<nosuch@example.com>");
                c.command("DATA");
                c.data("Subject: m\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
                c.command("QUIT");
            }
            ts.maildirs().await("gw", 1, Duration.ofSeconds(10));
            Thread.sleep(300);
            var admin = ts.server().adminAddress();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            String m = r.body();
            assertThat(m).contains("tacit_sessions_total 1.0", "tacit_sessions_active 0.0", "tacit_messages_accepted_total 1.0",
                    "tacit_replies_total{code=\"250\"}", "tacit_replies_total{code=\"221\"} 1.0", "tacit_replies_total{code=\"500\"} 1.0",
                    "tacit_probes_total{kind=\"vrfy\"} 1.0", "tacit_probes_total{kind=\"debug\"} 1.0",
                    "tacit_probes_total{kind=\"unknown_rcpt\"} 1.0", "tacit_guard_escalations_total{level=\"tarpit\"} 1.0",
                    "tacit_guard_blocked_sources 0.0", "tacit_queue_size 0.0", "tacit_deliveries_total{result=\"delivered\"} 1.0",
                    "tacit_spool_fsync_batch_records_count");
        }
    }
}
