package dev.tacit.lint;

import static dev.tacit.lint.Lints.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.findings.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The defaults Debian 12 ships, linted as they are: what is exposed out of the box. */
class DebianConfigsTest {

    @TempDir
    Path dir;

    @Test
    void postfixDefaultsAnswerVrfy() throws Exception {
        Path root = DebianConfigs.root();
        Path main = Files.copy(root.resolve("usr/share/postfix/main.cf.debian"), dir.resolve("main.cf"));
        Path master = Files.copy(root.resolve("usr/share/postfix/master.cf.dist"), dir.resolve("master.cf"));
        var r = Lints.lint(main, master);
        assertThat(ids(r)).containsExactlyInAnyOrder("PF301", "PF304", "PF306", "PF307");
        assertThat(Lints.first(r, "PF301").severity()).isEqualTo(Severity.HIGH);
        // the whole commented main.cf.dist parses too, and changes nothing
        Files.createDirectories(dir.resolve("dist"));
        var dist = Lints.lint(Files.copy(root.resolve("usr/share/postfix/main.cf.dist"), dir.resolve("dist/main.cf")));
        assertThat(ids(dist)).contains("PF301");
    }

    @Test
    void sendmailMcAndTheCfM4BuildsFromIt() throws Exception {
        Path root = DebianConfigs.root();
        Path cf = DebianConfigs.buildSendmailCf(root, dir);
        Path mc = dir.resolve("sendmail.mc");
        var r = Lints.lint(mc, cf);
        // Debian's flags have needvrfyhelo/needexpnhelo but neither novrfy nor noexpn; BadRcptThrottle=3 and
        // ratecontrol are set; MaxRecipientsPerMessage is not; the .cf is exactly what the .mc gives
        assertThat(ids(r)).containsExactlyInAnyOrder("MC201", "MC202", "MC212", "SM101", "SM102", "SM112");
        assertThat(Lints.first(r, "SM101").location().snippet()).startsWith("O PrivacyOptions=needmailhelo");
        assertThat(Lints.first(r, "MC201").location().line()).isEqualTo(lineOf(mc, "define(`confPRIVACY_FLAGS'"));
    }

    @Test
    void eximTemplateKeepsVrfyAndExpnShut() throws Exception {
        Path root = DebianConfigs.root();
        Path template = Files.copy(root.resolve("etc/exim4/exim4.conf.template"), dir.resolve("exim4.conf.template"));
        assertThat(ids(Lints.lint(template))).isEmpty();
        // the same real file with one line added is caught, ACLs, macros and .ifdefs all read
        String text = Files.readString(template, StandardCharsets.ISO_8859_1);
        Path opened = Lints.write(dir, "open/exim4.conf.template", "acl_smtp_expn = acl_check_rcpt\n" + text);
        var r = Lints.lint(opened);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX406", "EX404", "EX404", "EX404");
        // the alias routers lack no_expn; userforward, procmail and maildrop have it
        assertThat(EximLintTest.routersNamed(r, "EX404")).containsExactlyInAnyOrder("system_aliases", "lowuid_aliases", "mail4root");
        // VRFY opened the same way: the routers verification runs (not those with no_verify) are named
        Path vrfy = Lints.write(dir, "vrfy/exim4.conf.template", "acl_smtp_vrfy = acl_check_rcpt\n" + text);
        var v = Lints.lint(vrfy);
        assertThat(ids(v)).containsExactlyInAnyOrder("EX406", "EX407");
        assertThat(Lints.first(v, "EX407").message()).contains("real_local (check_local_user", "system_aliases (redirect",
                "lowuid_aliases (check_local_user", "local_user (check_local_user", "mail4root (redirect")
                .doesNotContain("userforward").doesNotContain("procmail").doesNotContain("maildrop");
        assertThat(Lints.first(v, "EX407").severity()).isEqualTo(Severity.LOW);
    }

    static int lineOf(Path file, String text) throws Exception {
        var lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        return -1;
    }
}
