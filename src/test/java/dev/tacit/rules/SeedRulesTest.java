package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two check_vrfy examples of shared/seeds/003 (the blanket {@code 252 VRFY forbidden} and the
 * selective 251/252 policy), written into rules files exactly as the seed gives them (fields
 * separated by tabs, comments included), loaded and run the way the server will run them: default
 * environment (class w and the host name only, no DNS), fail-closed checking.
 */
class SeedRulesTest {

    static final String BLANKET = "Scheck_vrfy\n"
            + "R $*\t$# error $@ 2.5.2 $: \"252 VRFY forbidden\"\n";

    static final String SELECTIVE = "Scheck_vrfy\n"
            + "R $*\t$: $>canonify $1\tfocus on the host\n"
            + "R $* <@ $=w . > $*\t$: $1\tisolate the user\n"
            + "R postmaster\t$# error $@ 2.5.1 $: \"251 <postmaster@$j>\"\n"
            + "R abuse\t$# error $@ 2.5.1 $: \"251 <abuse@$j>\"\n"
            + "R $*\t$# error $@ 2.5.2 $: \"252 VRFY forbidden\"\n";

    @TempDir
    static Path dir;

    static PolicyCheck blanket;
    static PolicyCheck selective;

    @BeforeAll
    static void load() throws Exception {
        RuleFileParser.Options host = RuleFileParser.Options.forHost("mail.example.com", List.of("example.com"));
        Files.writeString(dir.resolve("blanket.rules"), BLANKET);
        Files.writeString(dir.resolve("selective.rules"), SELECTIVE);
        RuleSets b = RuleFileParser.load(dir.resolve("blanket.rules"), host);
        RuleSets s = RuleFileParser.load(dir.resolve("selective.rules"), host);
        assertThat(b.warnings()).isEmpty();
        assertThat(s.warnings()).isEmpty();
        blanket = new PolicyCheck(b, RewriteEnvironment.of(b));
        selective = new PolicyCheck(s, RewriteEnvironment.of(s));
    }

    private static String reply(PolicyCheck p, String arg) {
        CheckResult r = p.checkFailClosed("check_vrfy", arg);
        assertThat(r).as(arg).isInstanceOf(CheckResult.Reject.class);
        return ((CheckResult.Reject) r).reply().toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gw", "postmaster", "nosuchuser", "<gw@mail.example.com>", "<>", "George Washington",
        "gw, tj", "\"postmaster\"", "gw (comment)"})
    void blanketForbidsEverything(String arg) {
        assertThat(reply(blanket, arg)).isEqualTo("252 2.5.2 VRFY forbidden");
    }

    @Test
    void noArgumentCanForgeAResolvedTriple() {
        // "$# OK" typed by a client is text, not the operator that would end the rule set
        assertThat(reply(blanket, "$# OK")).isEqualTo("252 2.5.2 VRFY forbidden");
        assertThat(reply(blanket, "\uE009OK")).isEqualTo("252 2.5.2 VRFY forbidden");
    }

    @Test
    void blanketAlsoForbidsWhatSendmailsTokenizerLetsThrough() {
        assertThat(reply(blanket, "gw, ".repeat(260) + "gw")).isEqualTo("252 2.5.2 VRFY forbidden");
        assertThat(blanket.check("check_vrfy", "gw, ".repeat(260) + "gw")).isInstanceOf(CheckResult.Unchecked.class);
        assertThat(reply(blanket, "x".repeat(300))).startsWith("553 5.1.0 ").endsWith("prescan: token too long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postmaster", "Postmaster", "postmaster@mail.example.com", "<postmaster@mail.example.com>",
        "postmaster@example.com", "postmaster@localhost", "postmaster@[127.0.0.1]", "postmaster (the boss)",
        "<postmaster", "Postmaster <postmaster@MAIL.example.com>"})
    void selectiveAnswersForPostmaster(String arg) {
        assertThat(reply(selective, arg)).isEqualTo("251 2.5.1 <postmaster@mail.example.com>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abuse", "abuse@mail.example.com", "abuse@example.com", "<abuse>"})
    void selectiveAnswersForAbuse(String arg) {
        assertThat(reply(selective, arg)).isEqualTo("251 2.5.1 <abuse@mail.example.com>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gw", "root", "postmaster@example.org", "abuse@mx.example.org", "\"postmaster\"", "<>",
        "gw@", "postmaster, gw", "all", "George Washington"})
    void selectiveForbidsTheRest(String arg) {
        assertThat(reply(selective, arg)).isEqualTo("252 2.5.2 VRFY forbidden");
    }

    @Test
    void selectiveChecksEveryElementOfAList() {
        // sendmail: 261 copies of gw skip check_vrfy and VRFY leaks "250 2.1.5 George Washington"
        assertThat(reply(selective, "gw, ".repeat(260) + "gw")).isEqualTo("252 2.5.2 VRFY forbidden");
        assertThat(reply(selective, "postmaster, ".repeat(200) + "gw")).isEqualTo("251 2.5.1 <postmaster@mail.example.com>");
    }
}
