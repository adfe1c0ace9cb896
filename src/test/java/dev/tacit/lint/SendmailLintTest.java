package dev.tacit.lint;

import static dev.tacit.lint.Lints.first;
import static dev.tacit.lint.Lints.ids;
import static dev.tacit.lint.Lints.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.findings.Finding;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SendmailLintTest {

    @TempDir
    Path dir;

    static final String SAFE_TAIL = "O BadRcptThrottle=3\nO MaxRecipientsPerMessage=100\n";

    @ParameterizedTest
    @ValueSource(strings = {
        "O PrivacyOptions=goaway",
        "O PrivacyOptions=authwarnings,novrfy,noexpn",
        "O PrivacyOptions = authwarnings novrfy noexpn",
        "O privacyoptions=GoAway",
        "Opgoaway",
        "Op authwarnings;novrfy;noexpn",
        "O PrivacyOptions=authwarnings\nO PrivacyOptions=novrfy\nO PrivacyOptions=noexpn",
        "O PrivacyOptions=authwarnings,\n\tnovrfy,\n\tnoexpn",
        "O PrivacyOptions=public,goaway",
    })
    void everySpellingOfASafeSettingIsClean(String privacy) throws Exception {
        var r = lint(dir, "sendmail.cf", "V10/Berkeley\n" + privacy + "\n" + SAFE_TAIL);
        assertThat(ids(r)).isEmpty();
    }

    @Test
    void noPrivacyLineLeavesEverythingOpen() throws Exception {
        var r = lint(dir, "sendmail.cf", "V10/Berkeley\nO LogLevel=9\n" + SAFE_TAIL);
        assertThat(ids(r)).containsExactlyInAnyOrder("SM101", "SM102", "SM103");
        assertThat(first(r, "SM101").location().line()).isZero();
        assertThat(first(r, "SM101").references()).contains("DISA STIG GEN004680", "CIS AIX 4.6.4.2", "KISA U-48");
        assertThat(first(r, "SM102").references()).contains("DISA STIG GEN004660");
    }

    @Test
    void eachFlagSetSaysWhatItLeavesOpen() throws Exception {
        assertThat(ids(lint(dir, "a.cf", "O PrivacyOptions=authwarnings,novrfy\n" + SAFE_TAIL))).containsExactly("SM102");
        assertThat(ids(lint(dir, "b.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL))).containsExactly("SM101");
        assertThat(ids(lint(dir, "c.cf", "O PrivacyOptions=novrfy,noexpn\n" + SAFE_TAIL))).containsExactly("SM103");
        // public never clears anything, and needvrfyhelo is no substitute for novrfy
        assertThat(ids(lint(dir, "d.cf", "O PrivacyOptions=public\n" + SAFE_TAIL))).containsExactlyInAnyOrder("SM101", "SM102", "SM103");
        var r = lint(dir, "e.cf", "O PrivacyOptions=needvrfyhelo,needexpnhelo,authwarnings\n" + SAFE_TAIL);
        assertThat(ids(r)).containsExactlyInAnyOrder("SM101", "SM102");
        Finding f = first(r, "SM101");
        assertThat(f.location().line()).isEqualTo(1);
        assertThat(f.location().column()).isEqualTo(18);
        assertThat(f.location().snippet()).isEqualTo("O PrivacyOptions=needvrfyhelo,needexpnhelo,authwarnings");
    }

    @Test
    void oldShortFormIsCaseSensitive() throws Exception {
        // OP is PostmasterCopy, not PrivacyOptions
        var r = lint(dir, "sendmail.cf", "OPgoaway\n" + SAFE_TAIL);
        assertThat(ids(r)).contains("SM101", "SM102");
    }

    @Test
    void unknownWordsAreFatalInSendmail() throws Exception {
        var r = lint(dir, "sendmail.cf", "O PrivacyOptions=goaway,noreflection,novrfyy\n" + SAFE_TAIL);
        assertThat(ids(r)).containsExactly("SM104", "SM104");
        assertThat(r.findings().get(0).message()).contains("noreflection").contains("_FFR_NOREFLECT");
        assertThat(r.findings().get(1).message()).contains("novrfyy unrecognized");
    }

    @Test
    void logLevelAndCounters() throws Exception {
        var low = lint(dir, "a.cf", "O PrivacyOptions=goaway\nO LogLevel=5\n" + SAFE_TAIL);
        assertThat(ids(low)).containsExactly("SM110");
        assertThat(ids(lint(dir, "b.cf", "O PrivacyOptions=goaway\nOL3\n" + SAFE_TAIL))).containsExactly("SM110");
        assertThat(first(lint(dir, "b2.cf", "O PrivacyOptions=goaway\nOL3\n" + SAFE_TAIL), "SM110").message())
                .contains("rejections");
        assertThat(ids(lint(dir, "c.cf", "O PrivacyOptions=goaway\nO LogLevel=6\n" + SAFE_TAIL))).isEmpty();
        assertThat(ids(lint(dir, "d.cf", "O PrivacyOptions=goaway\n#O BadRcptThrottle=3\nO MaxRecipientsPerMessage=5\n")))
                .containsExactly("SM111");
        assertThat(ids(lint(dir, "e.cf", "O PrivacyOptions=goaway\nO BadRcptThrottle=0\nO MaxRecipientsPerMessage=0\n")))
                .containsExactlyInAnyOrder("SM111", "SM112");
        assertThat(ids(lint(dir, "f.cf", "O PrivacyOptions=goaway\nO MatchGECOS=True\n" + SAFE_TAIL))).containsExactly("SM113");
        assertThat(ids(lint(dir, "g.cf", "O PrivacyOptions=goaway\nO MatchGECOS=False\n" + SAFE_TAIL))).isEmpty();
    }

    static final String SELECTIVE = """
            Scheck_vrfy
            R$*\t$: $>canonify $1\tfocus on the host
            R$* <@ $=w . > $*\t$: $1\tisolate the user
            Rpostmaster\t$# error $@ 2.5.1 $: "251 <postmaster@$j>"
            R$*\t$# error $@ 2.5.2 $: "252 VRFY forbidden"
            """;

    @Test
    void aRestrictingCheckVrfyIsStillBypassable() throws Exception {
        var r = lint(dir, "sendmail.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL + SELECTIVE);
        assertThat(ids(r)).containsExactly("SM106");
        assertThat(first(r, "SM106").message()).contains("tokenizer");
        assertThat(first(r, "SM106").location().line()).isEqualTo(4);
    }

    @Test
    void aCheckVrfyThatNeverRejectsRestrictsNothing() throws Exception {
        String accepting = "Scheck_vrfy\nR$*\t$: $>canonify $1\nR$* <@ $=w . > $*\t$@ $1\n";
        var r = lint(dir, "sendmail.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL + accepting);
        assertThat(ids(r)).containsExactlyInAnyOrder("SM101", "SM105");
        String quarantine = "Scheck_expn\nR$*\t$#error $@ quarantine $: held\n";
        var q = lint(dir, "q.cf", "O PrivacyOptions=authwarnings,novrfy\n" + SAFE_TAIL + quarantine);
        assertThat(ids(q)).containsExactlyInAnyOrder("SM102", "SM105");
        // a rejection in a local rule set that check_vrfy calls counts
        String viaCall = "Scheck_vrfy\nR$*\t$: $>Local_deny $1\nSLocal_deny\nR$*\t$#error $@ 5.7.1 $: \"550 no\"\n";
        assertThat(ids(lint(dir, "c.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL + viaCall))).containsExactly("SM106");
    }

    @Test
    void theRewriteEngineJudgesWhatTheRuleSetDoes() throws Exception {
        // the 251 for postmaster is a rejection too: the rule set answers, nothing is looked up
        var forbid = lint(dir, "f.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL + SELECTIVE);
        assertThat(first(forbid, "SM106").message()).contains("rejects 10 of 10 probe arguments").contains("261 copies");
        String letThrough = SELECTIVE.replace("Rpostmaster\t$# error $@ 2.5.1 $: \"251 <postmaster@$j>\"", "Rpostmaster\t$@ postmaster");
        var selective = lint(dir, "s.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL + letThrough);
        assertThat(first(selective, "SM106").message()).contains("rejects 9 of 10 probe arguments")
                .contains("lets through \"postmaster\"");
        // an $#error that can never match: a static reading is fooled, the engine is not
        String never = "Scheck_vrfy\nRnever . matches . this\t$#error $@ 5.7.1 $: \"550 no\"\n";
        var r = lint(dir, "n.cf", "O PrivacyOptions=authwarnings,noexpn\n" + SAFE_TAIL + never);
        assertThat(ids(r)).containsExactlyInAnyOrder("SM101", "SM105");
        assertThat(first(r, "SM105").message()).contains("accepts all 10 probe arguments");
        assertThat(new Linter(RulesetEvaluator.STATIC).lint(java.util.List.of(dir.resolve("n.cf")), null)
                .findings().stream().map(dev.tacit.findings.Finding::ruleId)).containsExactly("SM106");
        // in a .mc, LOCAL_RULESETS run with the engine's built-in canonify
        String mc = MC_HEAD + "define(`confPRIVACY_FLAGS', `authwarnings,noexpn')dnl\n" + MC_SAFE + "LOCAL_RULESETS\n" + letThrough;
        assertThat(first(lint(dir, "m.mc", mc), "MC206").message()).contains("lets through \"postmaster\"");
    }

    @Test
    void rejectsWhatSendmailRejects() throws Exception {
        assertThatThrownBy(() -> lint(dir, "sendmail.cf", "O PrivacyOptions=goaway\nScheck_vrfy\nR$* $#error no tab here\n"))
                .isInstanceOf(LintException.class)
                .satisfies(e -> assertThat(((LintException) e).oneLine()).startsWith(dir.resolve("sendmail.cf") + ":3: invalid rewrite line"));
        assertThatThrownBy(() -> lint(dir, "x.cf", "O PrivacyOptions=goaway\nZ what is this\n"))
                .isInstanceOf(LintException.class).hasMessageContaining("unknown configuration line");
    }

    // ---- sendmail.mc

    static final String MC_HEAD = "divert(-1)dnl\n# comment with define(`confPRIVACY_FLAGS', `public') in it\ndivert(0)dnl\n"
            + "include(`../m4/cf.m4')dnl\nOSTYPE(`debian')dnl\n";
    static final String MC_SAFE = "define(`confBAD_RCPT_THROTTLE', `3')dnl\ndefine(`confMAX_RCPTS_PER_MESSAGE', `100')dnl\n"
            + "FEATURE(`ratecontrol', `nodelay', `terminate')dnl\n";

    @Test
    void mcPrivacyWithM4Quoting() throws Exception {
        String multi = "define(`confPRIVACY_FLAGS',dnl\n`authwarnings,`'novrfy,noexpn')dnl\n";
        assertThat(ids(lint(dir, "a.mc", MC_HEAD + multi + MC_SAFE + "MAILER(`local')dnl\n"))).isEmpty();
        var open = lint(dir, "b.mc", MC_HEAD + "define(`confPRIVACY_FLAGS', ``authwarnings'')dnl\n" + MC_SAFE);
        assertThat(ids(open)).containsExactlyInAnyOrder("MC201", "MC202");
        // without the define m4 writes authwarnings: VRFY and EXPN open, authwarnings fine
        assertThat(ids(lint(dir, "c.mc", MC_HEAD + MC_SAFE))).containsExactlyInAnyOrder("MC201", "MC202");
        // a dnl'd define does not count; the last define wins
        String last = "dnl define(`confPRIVACY_FLAGS', `goaway')\ndefine(`confPRIVACY_FLAGS', `goaway')dnl\n"
                + "define(`confPRIVACY_FLAGS', `novrfy')dnl\n";
        assertThat(ids(lint(dir, "d.mc", MC_HEAD + last + MC_SAFE))).containsExactlyInAnyOrder("MC202", "MC203");
        assertThat(ids(lint(dir, "e.mc", MC_HEAD + "define(`confPRIVACY_FLAGS', `goaway,noreflection')dnl\n" + MC_SAFE)))
                .containsExactly("MC204");
    }

    @Test
    void mcCountersFeaturesAndRulesets() throws Exception {
        String priv = "define(`confPRIVACY_FLAGS', `goaway')dnl\n";
        assertThat(ids(lint(dir, "a.mc", MC_HEAD + priv))).containsExactlyInAnyOrder("MC211", "MC212", "MC214");
        assertThat(ids(lint(dir, "b.mc", MC_HEAD + priv + MC_SAFE + "define(`confLOG_LEVEL', `4')dnl\n"
                + "define(`confMATCH_GECOS', `True')dnl\n"))).containsExactlyInAnyOrder("MC210", "MC213");
        String rs = "LOCAL_RULESETS\nScheck_vrfy\nR$*\t$# error $@ 2.5.2 $: \"252 VRFY forbidden\"\n";
        assertThat(ids(lint(dir, "c.mc", MC_HEAD + "define(`confPRIVACY_FLAGS', `authwarnings,noexpn')dnl\n" + MC_SAFE + rs)))
                .containsExactly("MC206");
    }

    @Test
    void mcRulesetThatNeverRejectsRestrictsNothing() throws Exception {
        String priv = "define(`confPRIVACY_FLAGS', `authwarnings,noexpn')dnl\n";
        // the rule set only canonifies and accepts: VRFY is as open as without it
        String accepting = "LOCAL_RULESETS\nScheck_vrfy\nR$*\t$: $>canonify $1\nR$* <@ $=w . > $*\t$@ $1\n";
        var r = lint(dir, "a.mc", MC_HEAD + priv + MC_SAFE + accepting);
        assertThat(ids(r)).containsExactlyInAnyOrder("MC201", "MC205");
        assertThat(first(r, "MC205").location().line()).isEqualTo(lineOf("Scheck_vrfy"));
        // a rejecting rule set is not MC205 (it is MC206, bypassable), and novrfy makes the rule set moot
        String rejecting = "LOCAL_RULESETS\nScheck_vrfy\nR$*\t$# error $@ 5.7.1 $: \"550 VRFY forbidden\"\n";
        assertThat(ids(lint(dir, "b.mc", MC_HEAD + priv + MC_SAFE + rejecting))).containsExactly("MC206");
        assertThat(ids(lint(dir, "c.mc", MC_HEAD + "define(`confPRIVACY_FLAGS', `goaway')dnl\n" + MC_SAFE + accepting))).isEmpty();
    }

    private int lineOf(String text) throws Exception {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("a.mc"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(text)) {
                return i + 1;
            }
        }
        return -1;
    }

    @Test
    void mcUnterminatedQuoteIsAParseError() {
        assertThatThrownBy(() -> lint(dir, "bad.mc", MC_HEAD + "\ndefine(`confPRIVACY_FLAGS', `goaway)dnl\nMAILER(local)\n"))
                .isInstanceOf(LintException.class)
                .satisfies(e -> assertThat(((LintException) e).line()).isEqualTo(7))
                .hasMessageContaining("unterminated");
    }

    @Test
    void driftBetweenMcAndCf() throws Exception {
        Path mc = Lints.write(dir, "sendmail.mc", MC_HEAD + "define(`confPRIVACY_FLAGS', `goaway')dnl\n" + MC_SAFE);
        Path same = Lints.write(dir, "same/sendmail.cf", "O PrivacyOptions=goaway\nO LogLevel=9\n" + SAFE_TAIL);
        assertThat(ids(lint(mc, same))).doesNotContain("MC220");
        Path edited = Lints.write(dir, "edited/sendmail.cf", "O PrivacyOptions=authwarnings,novrfy,noexpn\nO LogLevel=4\n"
                + "O BadRcptThrottle=3\n");
        var r = lint(mc, edited);
        assertThat(ids(r).stream().filter(i -> i.equals("MC220"))).hasSize(3); // privacy flags, LogLevel, MaxRecipients
        assertThat(r.findings().stream().filter(f -> f.ruleId().equals("MC220")).map(Finding::message))
                .anySatisfy(m -> assertThat(m).startsWith("PrivacyOptions:"))
                .anySatisfy(m -> assertThat(m).startsWith("LogLevel: ").contains("gives 9"))
                .anySatisfy(m -> assertThat(m).startsWith("MaxRecipientsPerMessage:"));
    }
}
