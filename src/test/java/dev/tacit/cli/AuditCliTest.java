package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tacit audit} end to end through the CLI against a real Tacit: formats, exit codes, --expect-closed. */
@Timeout(180)
class AuditCliTest {

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void leakingServerJsonUsersAndExitCodes(@TempDir Path dir) throws Exception {
        Path words = dir.resolve("words.txt");
        Files.writeString(words, "# names\nalice\ngw\nbf\nnobody\n");
        try (TestServer ts = TestServer.start(dir.resolve("srv"), "privacy_options = \"public\"\nenumeration_defense = false\n[guard]\nenabled = false\n")) {
            String target = "127.0.0.1:" + ts.port();
            Path json = dir.resolve("audit.json");
            Run r = run("audit", target, "--users", words.toString(), "--rate", "0", "--domain", "example.com",
                    "--format", "json", "--output", json.toString());
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            JsonNode t = new ObjectMapper().readTree(json.toFile()).get("targets").get(0);
            assertThat(t.get("status").asText()).isEqualTo("audited");
            assertThat(t.at("/methods/VRFY/verdict").asText()).isEqualTo("VERIFIES");
            assertThat(t.at("/methods/EXPN/verdict").asText()).isEqualTo("VERIFIES");
            assertThat(t.at("/methods/RCPT/verdict").asText()).isEqualTo("VERIFIES");
            assertThat(t.at("/methods/VRFY/evidence/0").asText()).startsWith("C: VRFY ");
            assertThat(t.get("users").toString()).isEqualTo("[\"gw\",\"bf\"]");
            assertThat(t.at("/fingerprint/mta").asText()).isEqualTo("tacit");
            assertThat(t.get("findings").findValuesAsText("ruleId")).contains("audit.vrfy-enumeration", "audit.users-found");
            // never name a wordlist entry that was not found
            assertThat(Files.readString(json)).doesNotContain("alice", "nobody");

            // the default text report: the verdict table, then the users found with how sure and why
            // (to a file: the server under test logs to standard output)
            Path textFile = dir.resolve("audit.txt");
            Run text = run("audit", target, "--users", words.toString(), "--rate", "0", "--domain", "example.com", "--no-probe-commands",
                    "-o", textFile.toString());
            assertThat(text.code()).isEqualTo(1);
            assertThat(Files.readString(textFile)).contains("VRFY   VERIFIES").containsPattern("users found \\(VRFY, 4 names in [0-9.]+ s, .*\\): 2")
                    .containsPattern("(?m)^ +gw +certain ").containsPattern("(?m)^ +bf +certain ").doesNotContain("alice", "nobody");

            // the fix is not in: --expect-closed fails
            Run closed = run("audit", target, "--expect-closed", "--no-relay-check");
            assertThat(closed.code()).isEqualTo(1);
            assertThat(closed.err()).contains("still open").contains("VRFY");
            assertThat(closed.out()).contains("VRFY   VERIFIES");

            // SARIF 2.1.0 that validates against the official schema
            // (reports go to files: the server under test logs to standard output)
            Path sarifFile = dir.resolve("audit.sarif");
            Run sarif = run("audit", target, "--format", "sarif", "--no-probe-commands", "-o", sarifFile.toString());
            assertThat(sarif.code()).isEqualTo(1);
            assertThat(dev.tacit.findings.SarifSchema.load().validate(new ObjectMapper().readTree(sarifFile.toFile()))).isEmpty();
            Path junitFile = dir.resolve("audit.xml");
            run("audit", target, "--format", "junit", "--no-probe-commands", "-o", junitFile.toString());
            assertThat(Files.readString(junitFile)).startsWith("<?xml").contains("<testsuite").contains("audit.vrfy-enumeration");
            // the self-contained HTML report, through the CLI (Chromium renders it in HtmlReportChromiumTest)
            Path htmlFile = dir.resolve("audit.html");
            Run html = run("audit", target, "--format", "html", "--no-probe-commands", "--output", htmlFile.toString());
            assertThat(html.code()).isEqualTo(1);
            assertThat(Files.readString(htmlFile)).startsWith("<!DOCTYPE html>").contains(target, "VERIFIES", "<section id=\"summary\">")
                    .doesNotContain("<script", "src=", "http://", "https://");
        }
    }

    @Test
    void fixedServerPassesExpectClosed(@TempDir Path dir) throws Exception {
        // three audits in a row would be tarpitted by the guard; this test is about the answers
        try (TestServer ts = TestServer.start(dir, "[guard]\nenabled = false\n")) {
            Run r = run("audit", "127.0.0.1:" + ts.port(), "--expect-closed", "--known", "gw", "--domain", "example.com");
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("VRFY   252-TO-ALL").contains("EXPN   DISABLED").contains("MTA: Tacit");
            // without --expect-closed the missing STARTTLS is still a finding
            Run plain = run("audit", "127.0.0.1:" + ts.port(), "--fail-on", "high", "--domain", "example.com");
            assertThat(plain.code()).isZero();
            Run medium = run("audit", "127.0.0.1:" + ts.port(), "--fail-on", "medium", "--domain", "example.com");
            assertThat(medium.code()).isEqualTo(1);
        }
    }

    @Test
    void usageAndConnectionErrorsExitTwoWithOneLine(@TempDir Path dir) throws Exception {
        int port = External.freePort();
        Run refused = run("audit", "127.0.0.1:" + port);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("127.0.0.1:" + port).contains("connection refused").doesNotContain("Exception");

        Run badPort = run("audit", "127.0.0.1:99999");
        assertThat(badPort.code()).isEqualTo(2);
        assertThat(badPort.err().strip()).isEqualTo("tacit: bad target \"127.0.0.1:99999\": port must be 1-65535");

        Path list = dir.resolve("targets.txt");
        Files.writeString(list, "# ours\n127.0.0.1:2525\nbad host!\n");
        Run badFile = run("audit", "--targets", list.toString());
        assertThat(badFile.code()).isEqualTo(2);
        assertThat(badFile.err()).contains(list + ":3:");

        Path words = dir.resolve("w.txt");
        Files.writeString(words, "ok\nbad name\n");
        Run badWords = run("audit", "127.0.0.1:" + port, "--users", words.toString());
        assertThat(badWords.code()).isEqualTo(2);
        assertThat(badWords.err()).contains(words + ":2:");

        assertThat(run("audit", "127.0.0.1:" + port, "--format", "pdf").err()).contains("unknown format");
        assertThat(run("audit", "127.0.0.1:" + port, "--fail-on", "huge").code()).isEqualTo(2);
        assertThat(run("audit", "127.0.0.1:" + port, "--expect-closed=FOO").code()).isEqualTo(2);
    }

    /** The progress line a terminal gets on standard error: rewritten in place, at most five times a second, always the last. */
    @Test
    void progressLineRewritesOneLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AuditCommand.ProgressLine line = new AuditCommand.ProgressLine(new PrintStream(buf, true, StandardCharsets.UTF_8));
        dev.tacit.audit.Target t = dev.tacit.audit.Target.of("127.0.0.1", 2525);
        for (int i = 1; i <= 1000; i++) {
            line.update(t, i, 1000, i / 400);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\n").startsWith("\r127.0.0.1:2525: 1/1000 names, 0 found\033[K")
                .endsWith("\r127.0.0.1:2525: 1000/1000 names, 2 found\033[K");
        assertThat(out.split("\r", -1).length - 1).as("updates drawn").isLessThan(100);
    }
}
