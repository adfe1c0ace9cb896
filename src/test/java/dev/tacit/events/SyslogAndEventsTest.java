package dev.tacit.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Syslog over UDP (RFC 5424, facility mail) and the JSON probe events, received for real. */
class SyslogAndEventsTest {

    @TempDir
    Path dir;

    @Test
    void probesReachASyslogCollectorAndTheEventFile() throws Exception {
        try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            collector.setSoTimeout(2000);
            try (TestServer ts = TestServer.start(dir, "log_level = 9\n[log]\nstdout = false\nsyslog = \"127.0.0.1:"
                    + collector.getLocalPort() + "\"\nevents = \"events.jsonl\"\n");
                    SmtpClient c = ts.greeted()) {
                c.command("EHLO prober.example.net");
                c.command("DEBUG");
                c.command("VRFY gw");
                c.command("EXPN all");
                c.command("QUIT");
            }
            List<String> got = new ArrayList<>();
            try {
                while (got.size() < 20) {
                    DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
                    collector.receive(p);
                    got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                }
            } catch (SocketTimeoutException done) {
                // all received
            }
            // crit = 2 -> <18>, info = 6 -> <22>
            assertThat(got).anyMatch(m -> m.matches("<18>1 \\S+Z mail\\.example\\.com tacit \\d+ - - \\S+: \"debug\" command from localhost \\[127\\.0\\.0\\.1\\] \\(127\\.0\\.0\\.1\\)"));
            assertThat(got).anyMatch(m -> m.startsWith("<22>1 ") && m.endsWith(": localhost [127.0.0.1]: VRFY gw [rejected]"));
            assertThat(got).anyMatch(m -> m.startsWith("<22>1 ") && m.endsWith(": localhost [127.0.0.1]: EXPN all [rejected]"));
        }
        List<JsonNode> events = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve("events.jsonl"))) {
            events.add(json.readTree(line));
        }
        assertThat(events).extracting(e -> e.get("command").asText()).containsExactly("DEBUG", "VRFY", "EXPN");
        JsonNode vrfy = events.get(1);
        assertThat(vrfy.get("client_address").asText()).isEqualTo("127.0.0.1");
        assertThat(vrfy.get("client_name").asText()).isEqualTo("localhost [127.0.0.1]");
        assertThat(vrfy.get("helo").asText()).isEqualTo("prober.example.net");
        assertThat(vrfy.get("argument").asText()).isEqualTo("gw");
        assertThat(vrfy.get("decision").asText()).isEqualTo("refused");
        assertThat(vrfy.get("reply_code").asInt()).isEqualTo(252);
        assertThat(events.get(0).get("decision").asText()).isEqualTo("probe");
        assertThat(events.get(0).get("reply_code").asInt()).isEqualTo(500);
        assertThat(vrfy.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }
}
