package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes the rule-file parser and, for files it accepts, the engine: a bad file gives clean one-line
 * {@code file:line: reason} errors, a good one rewrites any input within the engine's bounds, and
 * nothing throws or hangs. The first input byte picks strict or lenient reading; the rest is the file.
 */
class RuleFileFuzzTest {

    private static final RuleFileParser.Options OPTIONS =
            RuleFileParser.Options.forHost("mail.example.com", List.of("example.com"));

    @FuzzTest(maxDuration = "30s")
    void parseAndRun(byte[] data) {
        if (data.length == 0) {
            return;
        }
        boolean lenient = (data[0] & 1) == 1;
        String text = new String(data, 1, data.length - 1, StandardCharsets.ISO_8859_1);
        RuleSets sets;
        try {
            sets = RuleFileParser.parse(text, "fuzz.rules", null, OPTIONS.lenient(lenient));
        } catch (RulesException e) {
            assertThat(e.errors()).isNotEmpty();
            for (String err : e.errors()) {
                assertThat(err).startsWith("fuzz.rules:").doesNotContain("\n");
            }
            return;
        }
        PolicyCheck check = new PolicyCheck(sets, RewriteEnvironment.of(sets));
        for (String set : sets.declaredNames()) {
            for (String input : List.of("gw", "postmaster@mail.example.com", "<a@b>, c", text.length() > 200
                    ? text.substring(0, 200) : text)) {
                CheckResult r = check.checkFailClosed(set, input);
                assertThat(r).isNotInstanceOf(CheckResult.Unchecked.class);
                if (r instanceof CheckResult.Reject rej) {
                    assertThat(rej.reply().toWire()).endsWith("\r\n");
                }
            }
        }
    }
}
