package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2's "one virtual thread per connection, blocking I/O": with three clients connected, the
 * JVM's thread dump (which lists virtual threads, unlike Thread.getAllStackTraces) holds three more
 * session threads, each of them virtual; when the clients quit they are gone.
 */
class VirtualThreadsTest {

    @TempDir
    Path dir;

    /** The session threads ("smtp-<session id>") in a JSON thread dump of this JVM. */
    private List<JsonNode> sessionThreads() throws Exception {
        Path f = dir.resolve("threads-" + System.nanoTime() + ".json");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpThreads(f.toString(),
                HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode container : new ObjectMapper().readTree(Files.readString(f)).path("threadDump").path("threadContainers")) {
            for (JsonNode t : container.path("threads")) {
                if (t.path("name").asText().matches("smtp-[0-9A-Za-z]{8,}")) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    @Test
    void eachConnectionIsServedByItsOwnVirtualThread() throws Exception {
        try (TestServer ts = TestServer.start(dir.resolve("srv"), "")) {
            int before = sessionThreads().size();
            try (SmtpClient a = ts.greeted(); SmtpClient b = ts.greeted(); SmtpClient c = ts.greeted()) {
                for (SmtpClient x : List.of(a, b, c)) {
                    assertThat(x.command("NOOP").code()).isEqualTo(250);
                }
                List<JsonNode> during = sessionThreads();
                assertThat(during).hasSize(before + 3);
                assertThat(during).allSatisfy(t -> assertThat(t.path("virtual").asBoolean()).as(t.toString()).isTrue());
                for (SmtpClient x : List.of(a, b, c)) {
                    assertThat(x.command("QUIT").code()).isEqualTo(221);
                }
            }
            int after = -1;
            for (int i = 0; i < 50; i++) { // bounded: sessions end right after QUIT
                after = sessionThreads().size();
                if (after == before) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(after).isEqualTo(before);
        }
    }
}
