package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays scenarios/bt-tests.txt through {@link AddressTester} with each recorded variant's rules and
 * compares, line by input line, with what {@code sendmail -bt} printed (transcripts/bt/*.txt).
 *
 * <p>Three normalisations, each for a documented reason: lines of sendmail's internal
 * {@code Canonify2} set are dropped from the recording (Tacit's canonify is built in and prints only
 * its own input/returns); the rule-set number in {@code == Ruleset x (n) status s} is masked (it
 * depends on every set in the m4-generated .cf); class listings are compared as sorted lists (sendmail
 * prints its hash-table order). Everything else must be identical, byte for byte.
 */
class BtTranscriptTest {

    private static final Pattern STATUS = Pattern.compile("^(== Ruleset \\S+) \\(\\d+\\)( status \\d+)$",
            Pattern.MULTILINE);

    @ParameterizedTest
    @ValueSource(strings = {"default", "rwtest", "rwmore", "rs_selective", "rs_forbid", "rs_results", "rs_more",
            "rwerrors"})
    void engineMatchesSendmailBt(String variant) throws Exception {
        RuleSets sets = Oracle.load(variant, variant.equals("rwerrors"));
        String recorded = Oracle.read("transcripts/bt/" + variant + ".txt");
        int banner = recorded.indexOf(AddressTester.BANNER);
        assertThat(banner).as("banner in recording").isGreaterThanOrEqualTo(0);
        List<String> expected = segments(recorded.substring(banner + AddressTester.BANNER.length()));

        List<String> inputs = Oracle.read("scenarios/bt-tests.txt").lines().toList();
        AddressTester t = new AddressTester(sets, Oracle.env(sets));
        List<String> actual = new ArrayList<>();
        for (String in : inputs) {
            StringBuilder out = new StringBuilder();
            t.line(in, out);
            actual.add(out.toString());
        }
        actual.add("");
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < inputs.size(); i++) {
            String in = inputs.get(i);
            String exp = normalize(expected.get(i), in);
            String act = normalize(actual.get(i), in);
            assertThat(act).as("%s: line %d: %s", variant, i + 1, in).isEqualTo(exp);
        }
    }

    /** Splits what follows the banner at the "> " prompts that start a line. */
    static List<String> segments(String s) {
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            if (!s.startsWith("> ", pos)) {
                throw new IllegalStateException("no prompt at " + pos + ": " + s.substring(pos, Math.min(s.length(), pos + 40)));
            }
            pos += 2;
            int start = pos;
            int k = pos;
            for (;;) {
                if (k >= s.length()) {
                    break;
                }
                if (s.startsWith("> ", k) && (k == start || s.charAt(k - 1) == '\n')) {
                    break;
                }
                int nl = s.indexOf('\n', k);
                k = nl < 0 ? s.length() : nl + 1;
            }
            out.add(s.substring(start, k));
            pos = k;
        }
        return out;
    }

    static String normalize(String seg, String input) {
        StringBuilder sb = new StringBuilder();
        for (String l : seg.split("\n", -1)) {
            if (l.startsWith("Canonify2 ")) {
                continue;
            }
            sb.append(l).append('\n');
        }
        String r = sb.substring(0, sb.length() - 1);
        Matcher m = STATUS.matcher(r);
        r = m.replaceAll("$1 (#)$2");
        if (input.startsWith("$=")) {
            List<String> lines = new ArrayList<>(List.of(r.split("\n")));
            lines.sort(null);
            r = String.join("\n", lines);
        }
        return r;
    }
}
