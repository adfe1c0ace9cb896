package dev.tacit.lint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tacit.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as CI uses it: exit codes, formats, --output, --fail-on, --fix, bad input. */
class LintCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void textReportAndExitCodes() throws Exception {
        Path cf = Lints.write(dir, "sendmail.cf", "O PrivacyOptions=authwarnings\nO BadRcptThrottle=3\nO MaxRecipientsPerMessage=9\n");
        Run r = run("lint", cf.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains(cf + ":1:18: high: VRFY is open").contains("[SM101]").endsWith("2 findings (2 high) in 1 target\n");
        assertThat(run("lint", "--fail-on", "critical", cf.toString()).code()).isZero();
        Path clean = Lints.write(dir, "ok/sendmail.cf", "O PrivacyOptions=goaway\nO BadRcptThrottle=3\nO MaxRecipientsPerMessage=9\n");
        Run ok = run("lint", clean.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).isEqualTo("no findings in 1 target\n");
    }

    @Test
    void formatsAndOutputFile() throws Exception {
        Path main = Lints.write(dir, "main.cf", "biff = no\n");
        Path sarif = dir.resolve("out.sarif");
        Run r = run("lint", "--format", "sarif", "--output", sarif.toString(), main.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        JsonNode root = new ObjectMapper().readTree(sarif.toFile());
        assertThat(root.at("/runs/0/tool/driver/rules").size()).isEqualTo(8); // the Postfix rules
        assertThat(root.at("/runs/0/results/0/ruleId").asText()).startsWith("PF");
        Run json = run("lint", "--format", "json", "--type", "postfix", main.toString());
        assertThat(new ObjectMapper().readTree(json.out()).at("/summary/findings").asInt()).isEqualTo(4);
        Run junit = run("lint", "--format", "junit", main.toString());
        assertThat(junit.out()).startsWith("<?xml").contains("<testcase name=\"PF301 postfix-vrfy-enabled\"");
    }

    @Test
    void sarifOfRealConfigsIsSchemaValid() throws Exception {
        Path root = DebianConfigs.root();
        Path cf = DebianConfigs.buildSendmailCf(root, dir);
        Path main = Files.copy(root.resolve("usr/share/postfix/main.cf.debian"), dir.resolve("main.cf"));
        Path exim = Lints.write(dir, "exim4.conf", "acl_smtp_vrfy = accept\nsmtp_verify = true\n");
        Path toml = Lints.write(dir, "tacit.toml", "hostname = \"mx.example.com\"\nprivacy_options = \"public\"\n");
        Path out = dir.resolve("lint.sarif");
        Run r = run("lint", "--format", "sarif", "--output", out.toString(), cf.toString(), dir.resolve("sendmail.mc").toString(),
                main.toString(), exim.toString(), toml.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        JsonNode sarif = new ObjectMapper().readTree(out.toFile());
        assertThat(dev.tacit.findings.SarifSchema.load().validate(sarif)).isEmpty();
        assertThat(sarif.at("/runs/0/results").size()).isGreaterThan(10);
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path mc = Lints.write(dir, "sendmail.mc", "divert(0)\ndefine(`confPRIVACY_FLAGS', `goaway)dnl\n");
        Run r = run("lint", mc.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("tacit lint: " + mc + ":2: unterminated m4 quote (a ` without its closing ')\n");
        assertThat(r.out()).isEmpty();
        Run missing = run("lint", dir.resolve("nope.cf").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("tacit lint: " + dir.resolve("nope.cf") + ": cannot read").doesNotContain("\tat ");
        Path unknown = Lints.write(dir, "notes.txt", "hello world\n");
        assertThat(run("lint", unknown.toString()).err()).contains("cannot tell the format; use --type");
        assertThat(run("lint", "--format", "xml", unknown.toString()).code()).isEqualTo(2);
        assertThat(run("lint", "--fail-on", "severe", unknown.toString()).err()).contains("unknown severity");
        assertThat(run("lint", "--type", "qmail", unknown.toString()).err()).contains("unknown type");
        Path binary = dir.resolve("bin.cf");
        Files.write(binary, new byte[] {'O', ' ', 0, 1, 2});
        assertThat(run("lint", binary.toString()).err()).contains("not a text file");
    }

    @Test
    void fixPrintsTheDiffAndDryRunChangesNothing() throws Exception {
        String text = "O PrivacyOptions=authwarnings\nO BadRcptThrottle=3\nO MaxRecipientsPerMessage=9\n";
        Path cf = Lints.write(dir, "sendmail.cf", text);
        Run dry = run("lint", "--fix", "--dry-run", cf.toString());
        assertThat(dry.code()).isEqualTo(1);
        assertThat(dry.out()).isEqualTo("--- " + cf + "\n+++ " + cf + " (fixed)\n@@ -1,3 +1,3 @@\n"
                + "-O PrivacyOptions=authwarnings\n+O PrivacyOptions=authwarnings,novrfy,noexpn\n"
                + " O BadRcptThrottle=3\n O MaxRecipientsPerMessage=9\n");
        assertThat(Files.readString(cf)).isEqualTo(text);
        assertThat(dir.resolve("sendmail.cf.tacit-bak")).doesNotExist();

        Run fix = run("lint", "--fix", cf.toString());
        assertThat(fix.code()).isZero();
        assertThat(fix.out()).startsWith(dry.out()).endsWith("no findings in 1 target\n");
        assertThat(fix.err()).contains("fixed " + cf);
        assertThat(Files.readString(dir.resolve("sendmail.cf.tacit-bak"))).isEqualTo(text);
        Run again = run("lint", "--fix", "--dry-run", cf.toString());
        assertThat(again.code()).isZero();
        assertThat(again.out()).isEmpty();
        assertThat(run("lint", "--dry-run", cf.toString()).code()).isEqualTo(2);
    }
}
