package dev.tacit.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never escapes as anything but a {@link LintException} (one line, exit 2): mangled copies
 * of valid fixtures (seeded, so a failure reproduces) are linted as every format, and --fix is applied
 * wherever it proposes something. Bounded: a fixed number of cases.
 */
class LintRobustnessTest {

    @TempDir
    Path dir;

    static final List<String> SEEDS = List.of(
            "V10/Berkeley\nO PrivacyOptions=authwarnings,\n\tnovrfy\nOL9\nScheck_vrfy\nR$*\t$: $>canonify $1\nR$*\t$#error $@ 5.7.1 $: \"550 no\"\n",
            "divert(0)dnl\ndefine(`confPRIVACY_FLAGS',dnl\n`authwarnings,novrfy')dnl\nFEATURE(`ratecontrol')dnl\nMAILER(`local')dnl\n"
                    + "LOCAL_RULESETS\nScheck_expn\nR$*\t$#error $: \"550 no\"\n",
            "disable_vrfy_command = $x\nx = ${y?{no}:{yes}}\nsmtpd_helo_required =\n  yes\n",
            "smtp inet n - y - - smtpd\n  -o { disable_vrfy_command = no }\n  -o smtpd_helo_required=no\n",
            "M = acl_v\n.ifdef M\nacl_smtp_vrfy = M\n.endif\nbegin acl\nacl_v:\n  deny !hosts = 127.0.0.1\n  accept\n"
                    + "begin routers\na:\n  driver = redirect\n",
            "hostname = \"mx.example.com\"\nprivacy_options = \"public\"\n[limits]\nmax_recipients = 10\n");

    static final String NASTY = "`'(){}[]$#\\\"\t\n\r =,;:!@%\u0000\u00ff";

    @Test
    void mangledInputGivesFindingsOrOneLineErrors() throws Exception {
        Random rnd = new Random(20261122);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 300; i++) {
            String seed = SEEDS.get(i % SEEDS.size());
            String text = mangle(seed, rnd);
            ConfigType type = ConfigType.values()[rnd.nextInt(ConfigType.values().length)];
            Path f = Lints.write(dir, "case" + i + ".conf", text);
            try {
                Linter.Result r = new Linter().lint(List.of(f), type);
                parsed++;
                for (var e : r.editsByFile().entrySet()) {
                    String fixed = Fixer.apply(e.getKey(), e.getValue());
                    assertThat(fixed.length()).isGreaterThanOrEqualTo(0);
                    Fixer.diff(e.getKey(), e.getValue());
                }
            } catch (LintException e) {
                rejected++;
                assertThat(e.oneLine()).doesNotContain("\n").startsWith(f.toString());
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " as " + type + " threw " + e + " on:\n" + text, e);
            }
        }
        assertThat(parsed).isPositive();
        assertThat(rejected).isPositive();
    }

    static String mangle(String s, Random rnd) {
        StringBuilder sb = new StringBuilder(s);
        int ops = 1 + rnd.nextInt(4);
        for (int k = 0; k < ops && sb.length() > 0; k++) {
            int at = rnd.nextInt(sb.length());
            switch (rnd.nextInt(4)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, NASTY.charAt(rnd.nextInt(NASTY.length())));
                case 2 -> {
                    int end = Math.min(sb.length(), at + rnd.nextInt(20));
                    sb.delete(at, end);
                }
                default -> {
                    List<String> lines = new ArrayList<>(List.of(sb.toString().split("\n", -1)));
                    int l = rnd.nextInt(lines.size());
                    lines.add(l, lines.get(rnd.nextInt(lines.size())));
                    sb.setLength(0);
                    sb.append(String.join("\n", lines));
                }
            }
        }
        return sb.toString();
    }
}
