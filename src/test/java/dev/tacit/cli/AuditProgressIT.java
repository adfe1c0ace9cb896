package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line is for terminals only: the built jar's {@code tacit audit --users} run under a
 * pseudo-terminal (util-linux script(1)) draws "\r<target>: n/N names, k found" on standard error;
 * the same run with standard error on a pipe prints no progress at all.
 */
class AuditProgressIT {

    @TempDir
    Path dir;

    @Test
    void progressOnATerminalOnly() throws Exception {
        Path script = External.require("script");
        List<String> words = new ArrayList<>(List.of("gw", "tj"));
        for (int i = 0; i < 400; i++) {
            words.add("nobody" + i);
        }
        Path list = dir.resolve("words.txt");
        Files.write(list, words);
        try (TestServer ts = TestServer.start(dir.resolve("srv"), "privacy_options = \"public\"\nenumeration_defense = false\n"
                + "[guard]\nenabled = false\n[log]\nstdout = false\n")) {
            String target = "127.0.0.1:" + ts.port();
            List<String> audit = List.of(TacitProcess.java(), "-jar", TacitProcess.jar().toString(), "audit", target, "--users", list.toString(),
                    "--rate", "0", "--concurrency", "1", "--domain", "example.com", "--no-probe-commands", "--no-relay-check");

            // under a pty: script copies everything the terminal showed into the typescript file
            Path typescript = dir.resolve("typescript");
            List<String> cmd = new ArrayList<>(audit);
            cmd.addAll(List.of("-o", dir.resolve("tty-report.txt").toString()));
            String line = String.join(" ", cmd.stream().map(a -> "'" + a + "'").toList());
            Process p = new ProcessBuilder(script.toString(), "-q", "-e", "-c", line, typescript.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("script.out").toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String shown = Files.readString(typescript, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(shown).isEqualTo(1);
            assertThat(shown).contains("\rauditing " + target + " ...").containsPattern("\r" + target + ": \\d+/402 names, [0-2] found")
                    .contains("\r" + target + ": 402/402 names, 2 found");
            assertThat(Files.readString(dir.resolve("tty-report.txt"))).contains("users found");

            // on a pipe: the same audit, not a byte of progress
            cmd = new ArrayList<>(audit);
            cmd.addAll(List.of("-o", dir.resolve("pipe-report.txt").toString()));
            Process q = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String piped = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(q.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(q.exitValue()).as(piped).isEqualTo(1);
            assertThat(piped).doesNotContain("\r", "names,");
            assertThat(Files.readString(dir.resolve("pipe-report.txt"))).contains("users found");
        }
    }
}
