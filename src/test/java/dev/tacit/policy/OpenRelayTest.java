package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.server.ListenerRole;
import dev.tacit.testing.External;
import dev.tacit.testing.FakeSmtpPeer;
import dev.tacit.testing.TestServer;
import dev.tacit.testing.TlsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tacit is never an open relay for a client that has not authenticated, on any listener: nmap's
 * smtp-open-relay (Debian's nmap) runs its sixteen relay tricks against the MTA port (with AUTH offered
 * there too), the submission port and the submissions port, and finds nothing. The same run against a
 * peer that accepts every recipient reports the relay, so the test can fail.
 */
class OpenRelayTest {

    @TempDir
    Path dir;

    /** smtp-open-relay's verdict per port, from one nmap run. */
    private Map<Integer, String> nmap(Map<Integer, String> services) throws Exception {
        Path nmap = External.require("nmap");
        Path data = Files.createDirectories(dir.resolve("nmap-data"));
        StringBuilder svc = new StringBuilder();
        services.forEach((port, name) -> svc.append(name).append('\t').append(port).append("/tcp\t0.1\n"));
        Files.writeString(data.resolve("nmap-services"), svc.toString()); // so the script's port rule picks our ports
        List<String> ports = services.keySet().stream().map(String::valueOf).toList();
        Process p = new ProcessBuilder(nmap.toString(), "--datadir", data.toString(), "-Pn", "-n", "-p", String.join(",", ports),
                "127.0.0.1", "--script", "smtp-open-relay", "--script-args", "smtp-open-relay.domain=relay-target.example.org")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        Map<Integer, String> verdicts = new LinkedHashMap<>();
        Integer port = null;
        for (String line : out.split("\n")) {
            if (line.matches("\\d+/tcp\\s.*")) {
                port = Integer.parseInt(line.substring(0, line.indexOf('/')));
            } else if (port != null && line.contains("smtp-open-relay:")) {
                verdicts.put(port, line.substring(line.indexOf("smtp-open-relay:") + 16).strip());
            }
        }
        assertThat(verdicts.keySet()).as(out).containsExactlyInAnyOrderElementsOf(services.keySet());
        return verdicts;
    }

    @Test
    void nmapFindsNoRelayOnAnyListener() throws Exception {
        // AUTH offered on the MTA port too, so every listener has an authenticated path an unauthenticated client must not reach
        try (TestServer ts = TlsFixture.start(dir, "", "[auth]\non_listen = true\n")) {
            Map<Integer, String> services = new LinkedHashMap<>();
            services.put(ts.port(ListenerRole.MTA), "smtp");
            services.put(ts.port(ListenerRole.SUBMISSION), "submission");
            services.put(ts.port(ListenerRole.SUBMISSIONS), "smtps");
            Map<Integer, String> v = nmap(services);
            assertThat(v.get(ts.port(ListenerRole.MTA))).isEqualTo("Server doesn't seem to be an open relay, all tests failed");
            assertThat(v.get(ts.port(ListenerRole.SUBMISSION))).isEqualTo("Server isn't an open relay, authentication needed");
            assertThat(v.get(ts.port(ListenerRole.SUBMISSIONS))).isEqualTo("Server isn't an open relay, authentication needed");
        }
    }

    @Test
    void nmapFindsNoRelayWithTheDefaultConfigurationEither() throws Exception {
        try (TestServer ts = TestServer.start(dir, "")) {
            assertThat(nmap(Map.of(ts.port(), "smtp"))).containsEntry(ts.port(), "Server doesn't seem to be an open relay, all tests failed");
        }
    }

    @Test
    void theSameRunReportsARelayThatAcceptsEveryRecipient() throws Exception {
        try (FakeSmtpPeer relay = FakeSmtpPeer.builder().on("RCPT", r -> FakeSmtpPeer.Response.of("250 2.1.5 Ok")).start()) {
            List<String> v = new ArrayList<>(nmap(Map.of(relay.port(), "smtp")).values());
            assertThat(v.get(0)).startsWith("Server is an open relay (16/16 tests)");
        }
    }
}
