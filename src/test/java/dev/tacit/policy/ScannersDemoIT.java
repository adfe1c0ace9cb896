package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ScannersTest against the real thing the issue names: the built jar's {@code tacit demo}, started as
 * a user would start it (its own tacit.toml, users and aliases, STARTTLS, submission port). With the
 * demo's defaults nmap's smtp-enum-users and a reconnect-per-query loop (VRFY and RCPT) learn nothing
 * about the demo users; with {@code --privacy public --no-enumeration-defense} they name exactly those users. Each
 * tool gets a fresh demo, so the guard's counts from one tool do not slow the next.
 */
class ScannersDemoIT {

    @TempDir
    Path dir;

    private Set<String> scan(String tool, String... demoFlags) throws Exception {
        Path work = Files.createTempDirectory(dir, tool);
        int port = External.freePort();
        int submission = External.freePort();
        List<String> args = new ArrayList<>(List.of("demo", "--data-dir", work.resolve("data").toString(), "--port", String.valueOf(port),
                "--submission-port", String.valueOf(submission)));
        args.addAll(List.of(demoFlags));
        try (TacitProcess p = TacitProcess.start(work.resolve("demo.log"), args.toArray(String[]::new))) {
            try {
                p.awaitPort(port, 30_000);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + Files.readString(work.resolve("demo.log")), e);
            }
            return switch (tool) {
                case "nmap" -> ScannersTest.nmap(port, work);
                case "loop-vrfy" -> ScannersTest.reconnectLoop(port, "VRFY");
                default -> ScannersTest.reconnectLoop(port, "RCPT");
            };
        }
    }

    @Test
    void scannersLearnNothingFromTheDemoDefaultsAndEverythingWithoutTheDefence() throws Exception {
        External.require("nmap");
        for (String tool : new String[] {"nmap", "loop-vrfy", "loop-rcpt"}) {
            Set<String> defaults = scan(tool);
            assertThat(ScannersTest.learnedNothing(defaults)).as("%s against tacit demo reported %s", tool, defaults).isTrue();
            assertThat(scan(tool, "--privacy", "public", "--no-enumeration-defense")).as(tool + " against tacit demo --privacy public --no-enumeration-defense")
                    .containsExactlyInAnyOrderElementsOf(ScannersTest.REAL);
        }
    }
}
