package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading rules files: syntax, macros, classes, and every refusal as {@code file:line: reason}. */
class RuleFileParserTest {

    private static final RuleFileParser.Options OPTS =
            RuleFileParser.Options.forHost("mail.example.com", List.of("example.com"));

    private static RuleSets parse(String text) throws RulesException {
        return RuleFileParser.parse(text, "t.rules", null, OPTS);
    }

    private static List<String> errors(String text) {
        try {
            parse(text);
        } catch (RulesException e) {
            assertThat(e.getMessage()).isEqualTo(e.errors().get(0));
            return e.errors();
        }
        throw new AssertionError("accepted: " + text);
    }

    private static String rhs(RuleSets s, String set, int rule) {
        return Token.renderList(s.rules(s.find(set)).get(rule).rhs()).strip();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '§', textBlock = """
        R$*\t$@ x                                   § t.rules:1: missing valid ruleset for "R$*\t$@ x"
        Sa\\nR$* no tab                             § t.rules:2: invalid rewrite line "R$* no tab" (tab expected)
        Sa\\nR\t$@ x                                § t.rules:2: R line: null LHS
        Sa\\nR$*\t$?{nosuch}x$.                      § t.rules:2: R line: null RHS
        Sa\\nR$1\t$@ x                              § t.rules:2: Inappropriate use of $1-$9 on LHS
        Sa\\nR$: x\t$@ x                            § t.rules:2: Inappropriate use of $: on LHS
        Sa\\nR$> x\t$@ x                            § t.rules:2: Inappropriate use of $> on LHS
        Sa\\nR$[ x\t$@ x                            § t.rules:2: Inappropriate use of $[ on LHS
        Sa\\nR$( x\t$@ x                            § t.rules:2: Inappropriate use of $( on LHS
        Sa\\nR$*\t$@ $*                             § t.rules:2: Inappropriate use of $* on RHS
        Sa\\nR$*\t$@ $=w                            § t.rules:2: Inappropriate use of $= on RHS
        Sa\\nR$*\t$@ $~w                            § t.rules:2: Inappropriate use of $~ on RHS
        Sa\\nR$- $- $- $- $- $- $- $- $- $-\t$@ x   § t.rules:2: R line: too many wildcards
        Sa\\nR$- $-\t$@ $3                          § t.rules:2: replacement $3 out of bounds
        Sa\\nR$*\t$@ $0                             § t.rules:2: replacement $0 out of bounds
        Sa\\nR$*\t$@ $[ $( m $1 $) $]               § t.rules:2: cannot nest map lookups
        Sa\\nR$*\t$@ $[ $1                          § t.rules:2: missing map closing token
        S!bad                                       § t.rules:1: invalid ruleset name: "!bad"
        S_x                                         § t.rules:1: invalid ruleset name: "_x"
        S150                                        § t.rules:1: bad ruleset 150 (100 max)
        Sa=b                                        § t.rules:1: bad ruleset definition "a=b" (number required after `=')
        Sa=120                                      § t.rules:1: bad ruleset number 120 in "a" (100 max)
        Sa=5\\nSa=6                                 § t.rules:2: a: ruleset changed value (old 5, new 6)
        Q1                                          § t.rules:1: unknown configuration line "Q1"
        D                                           § t.rules:1: Name required for macro/class
        C{open x                                    § t.rules:1: Unbalanced { on {open x
        Fx /nonexistent/tacit-class                 § t.rules:1: fileclass: cannot open '/nonexistent/tacit-class': No such file or directory
        Fx |/bin/true                               § t.rules:1: fileclass: F{x}: program classes are not supported
        V                                           § t.rules:1: invalid argument to V line: ""
        """)
    void refusesBadLinesWithFileLineAndSendmailsText(String text, String message) {
        String t = text.replace("\\n", "\n");
        assertThat(errors(t)).contains(message);
    }

    @Test
    void sendmailWouldSayTheSameAboutTheRecordedBrokenRules() throws Exception {
        // transcripts/bt/rwerrors.txt starts with sendmail's complaints about variants/rwerrors.mc
        List<String> recorded = new ArrayList<>();
        List<Integer> recordedLines = new ArrayList<>();
        for (String l : Oracle.read("transcripts/bt/rwerrors.txt").lines().toList()) {
            var m = java.util.regex.Pattern.compile("^\\$WORK/cf/rwerrors\\.cf: line (\\d+): (.*)$").matcher(l);
            if (m.matches()) {
                recordedLines.add(Integer.parseInt(m.group(1)));
                // sendmail prints the line it complains about in its internal form, $ as byte 001
                recorded.add(m.group(2).replace('\u0001', '$').replace("\"R*", "\"R$*"));
            }
        }
        RuleSets lenient = Oracle.load("rwerrors", true);
        List<String> ours = new ArrayList<>();
        List<Integer> ourLines = new ArrayList<>();
        for (String e : lenient.errors()) {
            var m = java.util.regex.Pattern.compile("^rwerrors\\.mc:(\\d+): (.*)$").matcher(e);
            assertThat(m.matches()).as(e).isTrue();
            ourLines.add(Integer.parseInt(m.group(1)));
            ours.add(m.group(2));
        }
        assertThat(ours).isEqualTo(recorded);
        // same lines: the .mc lines sit at a fixed offset inside the generated .cf
        int offset = recordedLines.get(0) - ourLines.get(0);
        assertThat(ourLines.stream().map(n -> n + offset).toList()).isEqualTo(recordedLines);
        assertThatThrownBy(() -> Oracle.load("rwerrors", false)).isInstanceOf(RulesException.class)
                .hasMessage("rwerrors.mc:" + ourLines.get(0) + ": " + ours.get(0));
    }

    @Test
    void everyErrorIsReportedOnOneLineEvenForFoldedLines() {
        List<String> e = errors("Sa\nR$* no\n tab here\n");
        assertThat(e).containsExactly("t.rules:3: invalid rewrite line \"R$* no\\n tab here\" (tab expected)");
    }

    @Test
    void syntaxFoldingCommentsAndCrlf() throws Exception {
        RuleSets s = parse("""
                # a comment\r
                Scheck_vrfy\r
                R$* <@ $=w . > $*\t$: $1\tcomment after a tab\r
                Rfoo\t\t$@ a # trailing comment
                Rbar\t$@ b \\# c
                Rbaz
                \t$@ folded
                """);
        List<Rule> rules = s.rules(s.find("check_vrfy"));
        assertThat(rules).hasSize(4);
        assertThat(Token.renderList(rules.get(0).lhs()).strip()).isEqualTo("$* < @ $=w . > $*");
        assertThat(rules.get(0).wildcards()).isEqualTo(3);
        assertThat(rhs(s, "check_vrfy", 1)).isEqualTo("$@ a");
        assertThat(rhs(s, "check_vrfy", 2)).isEqualTo("$@ b # c");
        assertThat(rhs(s, "check_vrfy", 3)).isEqualTo("$@ folded");
        assertThat(rules.get(3).line()).isEqualTo(7);
    }

    @Test
    void macrosExpandWhenTheLineIsReadAndDeferredOnesDoNot() throws Exception {
        RuleSets s = parse("""
                D{x}one
                Sa
                Rx\t$@ $x $j "<postmaster@$j>" $&x $&{client_addr}
                D{x}two
                Ry\t$@ $x $?x yes $| no $. $?{nosuch} yes $| no $.
                """);
        assertThat(rhs(s, "a", 0)).isEqualTo("$@ one mail . example . com \"<postmaster@mail.example.com>\" $&x $&{client_addr}");
        assertThat(rhs(s, "a", 1)).isEqualTo("$@ two yes no");
        assertThat(s.macro("x")).isEqualTo("two");
    }

    @Test
    void rulesetNumbersAndNames() throws Exception {
        RuleSets s = parse("Sfirst\nR$*\t$@ a\nSsecond=5\nS3\nSfirst\nR$*\t$@ b\n");
        assertThat(s.find("first")).isEqualTo(199);
        assertThat(s.find("second")).isEqualTo(5);
        assertThat(s.find("5")).isEqualTo(5);
        assertThat(s.find("first,second")).isEqualTo(199);
        assertThat(s.find("First")).isEqualTo(-1);
        assertThat(s.rules(199)).hasSize(2);
        assertThat(s.warnings()).anyMatch(w -> w.contains("Ruleset first has multiple definitions"));
        // rule set 3 was declared, so the built-in canonify is off
        assertThat(s.isBuiltinCanonify(3)).isFalse();
        assertThat(parse("Sa\n").isBuiltinCanonify(3)).isTrue();
        assertThat(parse("Sa\n").find("canonify")).isEqualTo(3);
    }

    @Test
    void classesFromLinesAndFilesRelativeToTheRulesFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hosts.txt"), "# local names\nalpha.example beta\ngamma # note\n");
        Files.writeString(dir.resolve("t.rules"), """
                CX one two
                C{Long} $j
                FY hosts.txt
                FZ hosts.txt %[^\\#]
                FQ -o missing.txt
                Sa
                R$=Y\t$@ yes
                """);
        RuleSets s = RuleFileParser.load(dir.resolve("t.rules"), OPTS);
        assertThat(s.classWords("X")).containsExactly("one", "two");
        assertThat(s.classWords("Long")).containsExactly("mail.example.com");
        assertThat(s.classWords("Y")).containsExactly("alpha.example", "gamma");
        assertThat(s.classWords("Z")).containsExactly("alpha.example", "beta", "gamma");
        assertThat(s.inClass("Y", "ALPHA.example")).isTrue();
        assertThat(s.classWords("w")).contains("mail.example.com", "example.com", "mail", "localhost", "[127.0.0.1]");
    }

    @Test
    void callsToUndefinedSetsAreWarnedAbout() throws Exception {
        RuleSets s = parse("Sa\nR$*\t$: $>nosuch $>canonify $>3 $>b $1\nSb\n");
        assertThat(s.warnings()).containsExactly(
                "t.rules:2: warning: ruleset nosuch is not defined; the call answers 554 5.3.5 Unknown ruleset");
    }

    @Test
    void optionsGiveTheHostsNames() {
        RuleFileParser.Options o = RuleFileParser.Options.forHost("mx1.corp.example", List.of("corp.example"));
        assertThat(o.macros()).isEqualTo(Map.of("j", "mx1.corp.example", "w", "mx1", "m", "corp.example"));
        assertThat(o.classes().get("w")).containsExactly("mx1.corp.example", "corp.example", "mx1", "localhost",
                "[127.0.0.1]");
    }
}
