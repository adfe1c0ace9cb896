package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Importing a real sendmail.cf, generated here by m4 from sendmail-cf's macros with the committed
 * rs_selective rule sets: the privacy options and log level come across, check_vrfy and every set it
 * calls (sendmail's own m4 canonify and Canonify2) are imported, everything else is reported, and the
 * imported sets answer the recorded -bt lines byte for byte, sendmail's inner Canonify2 lines included.
 */
class SendmailCfTest {

    static final Path CF_M4 = Path.of("/usr/share/sendmail/cf/m4/cf.m4");

    /** Builds a .cf from sendmail-cf's m4 files: our own small .mc around a variant's rule sets. */
    static Path generate(Path dir, String variant, String defines) throws Exception {
        Path m4 = External.require("m4");
        if (!Files.exists(CF_M4)) {
            String msg = CF_M4 + " is missing (package sendmail-cf; .ci/run installs it)";
            if (External.ci()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        String fragment = Oracle.read("variants/" + variant + ".mc");
        int cut = fragment.indexOf("dnl RULESETS\n");
        String rulesets = cut < 0 ? "" : fragment.substring(cut + "dnl RULESETS\n".length());
        String mc = "divert(-1)dnl\n"
                + "divert(0)dnl\n"
                + "include(`" + CF_M4 + "')dnl\n"
                + "VERSIONID(`tacit test')dnl\n"
                + "OSTYPE(`linux')dnl\n"
                + "define(`confDOMAIN_NAME', `mail.example.com')dnl\n"
                + defines
                + "FEATURE(`no_default_msa')dnl\n"
                + "LOCAL_DOMAIN(`example.com')dnl\n"
                + "MAILER(`local')dnl\n"
                + "MAILER(`smtp')dnl\n"
                + rulesets;
        Path mcFile = dir.resolve(variant + ".mc");
        Path cf = dir.resolve(variant + ".cf");
        Files.writeString(mcFile, mc);
        Process p = new ProcessBuilder(m4.toString(), mcFile.toString()).redirectOutput(cf.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("m4 did not finish");
        }
        assertThat(p.exitValue()).as("m4 exit status").isZero();
        return cf;
    }

    @Test
    void importsPolicySetsFromAnM4GeneratedCf(@TempDir Path dir) throws Exception {
        Path cf = generate(dir, "rs_selective",
                "define(`confPRIVACY_FLAGS', `goaway,noetrn')dnl\ndefine(`confLOG_LEVEL', `5')dnl\n");
        SendmailCf.Import imp = SendmailCf.read(cf, Oracle.options());
        assertThat(imp.privacyOptions()).isEqualTo("goaway,noetrn");
        assertThat(imp.logLevel()).isEqualTo(5);
        RuleSets sets = imp.ruleSets();
        assertThat(sets.declaredNames()).contains("check_vrfy", "check_expn", "canonify", "Canonify2")
                .doesNotContain("parse", "final", "check_rcpt");
        assertThat(sets.isBuiltinCanonify(3)).isFalse();
        assertThat(sets.find("canonify")).isEqualTo(3);
        assertThat(sets.classWords("P")).containsExactly(".");
        assertThat(imp.warnings()).anyMatch(w -> w.matches(".*:\\d+: ignored: ruleset parse \\(not called from .*"))
                .anyMatch(w -> w.matches(".*:\\d+: ignored: mailer local"))
                .anyMatch(w -> w.matches(".*:\\d+: ignored: option QueueDirectory"))
                .anyMatch(w -> w.matches(".*:\\d+: ignored: map dequote .*"))
                .allMatch(w -> w.startsWith(cf.toString() + ":"));
        assertThat(imp.warnings()).noneMatch(w -> w.contains("ignored: option PrivacyOptions"));

        // sendmail's own canonify, run by Tacit's engine, against the -bt recording of the same rules
        String recorded = Oracle.read("transcripts/bt/rs_selective.txt");
        List<String> expected = BtTranscriptTest.segments(
                recorded.substring(recorded.indexOf(AddressTester.BANNER) + AddressTester.BANNER.length()));
        List<String> inputs = Oracle.read("scenarios/bt-tests.txt").lines().toList();
        AddressTester t = new AddressTester(sets, RewriteEnvironment.of(Oracle.hosts()));
        int compared = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String in = inputs.get(i);
            if (!(in.startsWith("check_") || in.startsWith("3 ") || in.startsWith("canonify "))) {
                continue;
            }
            StringBuilder out = new StringBuilder();
            t.line(in, out);
            assertThat(out.toString()).as("line %d: %s", i + 1, in).isEqualTo(expected.get(i));
            compared++;
        }
        assertThat(compared).isGreaterThan(50);
    }

    @Test
    void oldOptionFormsAccumulateAndOtherLinesAreReported() throws Exception {
        String cf = """
                V10/Berkeley
                Opneedmailhelo
                O PrivacyOptions=noexpn, novrfy
                OL3
                O LogLevel=4
                O OperatorChars=.:@
                O Timeout.ident=0
                DZ8.17
                D{unused}x
                Cw localhost
                CU unused
                Mlocal, P=/bin/true, F=lsDFM, A=true
                Kdequote dequote
                H?P?Return-Path: <$g>
                Scheck_expn
                Rdq $*\t$@ $(dequote $1 $)
                R$=w $*\t$# error $: "550 local $1"
                Sunrelated
                R$*\t$@ x
                Sbroken
                R$* no tab
                """;
        SendmailCf.Import imp = SendmailCf.parse(cf, "t.cf", null, RuleFileParser.Options.defaults());
        assertThat(imp.privacyOptions()).isEqualTo("needmailhelo,noexpn, novrfy");
        assertThat(imp.logLevel()).isEqualTo(4);
        assertThat(imp.ruleSets().declaredNames()).containsExactly("check_expn");
        assertThat(imp.ruleSets().tokenizer().operatorChars()).isEqualTo(".:@");
        assertThat(imp.warnings()).containsExactly(
                "t.cf:7: ignored: option Timeout.ident",
                "t.cf:8: ignored: macro Z (not used by the imported rule sets)",
                "t.cf:9: ignored: macro {unused} (not used by the imported rule sets)",
                "t.cf:11: ignored: class U (not used by the imported rule sets)",
                "t.cf:12: ignored: mailer local",
                "t.cf:13: ignored: map dequote (lookups in the imported rule sets keep the key or use the $: default)",
                "t.cf:14: ignored: header ?P?Return-Path",
                "t.cf:18: ignored: ruleset unrelated (not called from check_vrfy or check_expn), 1 rules",
                "t.cf:20: ignored: ruleset broken (not called from check_vrfy or check_expn), 0 rules",
                "t.cf:21: ignored: invalid rewrite line \"R$* no tab\" (tab expected)");
        PolicyCheck p = new PolicyCheck(imp.ruleSets(), RewriteEnvironment.of(imp.ruleSets()));
        assertThat(p.check("check_expn", "localhost x")).isInstanceOf(CheckResult.Reject.class);
        assertThat(p.check("check_vrfy", "x")).isInstanceOf(CheckResult.NotDefined.class);
        // a map the .cf declares but Tacit lacks finds nothing: the key stays, no error
        assertThat(p.check("check_expn", "dq \"x\"")).isEqualTo(new CheckResult.Accept(
                List.of(Token.literal("\"x\""))));
    }

    @Test
    void anErrorInAnImportedSetRefusesTheImport() {
        String cf = "Scheck_vrfy\nR$*\t$@ $>helper $1\nShelper\nR$1\t$@ x\n";
        try {
            SendmailCf.parse(cf, "bad.cf", null, RuleFileParser.Options.defaults());
            throw new AssertionError("accepted");
        } catch (RulesException e) {
            assertThat(e.errors()).containsExactly("bad.cf:4: Inappropriate use of $1-$9 on LHS");
        }
    }
}
