package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Engine behaviour the -bt recordings do not reach: map lookups with arguments and defaults, run-time
 * macros and classes, the token limit at the top level, and Tacit's work budget.
 */
class RewriterTest {

    private static RuleSets rules(String text) throws RulesException {
        return RuleFileParser.parse(text, "r.rules", null,
                RuleFileParser.Options.forHost("mail.example.com", List.of("example.com")));
    }

    private static List<Token> tokens(String s) {
        return ((Tokenizer.Scan.Tokens) new Tokenizer().scan(s)).tokens();
    }

    private static String run(RuleSets s, RewriteEnvironment env, String set, String input) {
        Rewriter.Result r = new Rewriter(s, env).rewrite(set, tokens(input), Rewriter.SILENT);
        return Token.renderList(r.tokens()).strip();
    }

    @Test
    void mapLookupsUseArgumentsAndDefaults() throws Exception {
        RuleSets s = rules("Sa\nR$- $+\t$@ $( m $1 $@ $2 $@ two $: none $) $[ $2 $]\n");
        RewriteEnvironment env = RewriteEnvironment.of(s).withMap("m",
                (key, args) -> key.equals("hit") ? Optional.of(key + "%" + String.join("%", args)) : Optional.empty());
        assertThat(run(s, env, "a", "hit example.com")).isEqualTo("hit % example . com % two example . com .");
        assertThat(run(s, env, "a", "miss example.org")).isEqualTo("none example . org");
    }

    @Test
    void runTimeMacrosAndClassesComeFromTheEnvironment() throws Exception {
        RuleSets s = rules("Sa\nR$=X\t$@ inx $&{client_addr}\nR$*\t$@ out $&{client_addr}\n");
        RewriteEnvironment env = RewriteEnvironment.of(s);
        assertThat(run(s, env, "a", "foo")).isEqualTo("out");
        RewriteEnvironment env2 = env.withMacro("client_addr", "192.0.2.1").withClassWord("X", "Foo");
        assertThat(run(s, env2, "a", "foo")).isEqualTo("inx 192 . 0 . 2 . 1");
    }

    @Test
    void aReplacementHoldsAtMost1000Tokens() throws Exception {
        RuleSets s = rules("Sa\nR$*\t$@ $1 $1\n");
        List<Token> in = new ArrayList<>(tokens("a ".repeat(500).strip()));
        Rewriter.Result ok = new Rewriter(s, RewriteEnvironment.of(s)).rewrite("a", in, Rewriter.SILENT);
        assertThat(ok.ok()).isTrue();
        assertThat(ok.tokens()).hasSize(1000);
        in.add(Token.literal("b"));
        Rewriter.Result tooLong = new Rewriter(s, RewriteEnvironment.of(s)).rewrite("a", in, Rewriter.SILENT);
        assertThat(tooLong.status()).isEqualTo(ExitStatus.DATAERR);
        assertThat(tooLong.errors()).extracting(Rewriter.RewriteError::text).containsExactly("rewrite: expansion too long");
    }

    @Test
    void pathologicalBacktrackingIsCutOff() throws Exception {
        RuleSets s = rules("Sa\nR$* $* $* $* $* $* $* $* $* z\t$@ matched\nR$*\t$@ other\n");
        Rewriter.Result r = new Rewriter(s, RewriteEnvironment.of(s)).rewrite("a", tokens("a ".repeat(300)),
                Rewriter.SILENT);
        assertThat(r.status()).isEqualTo(ExitStatus.CONFIG);
        assertThat(r.errors()).extracting(Rewriter.RewriteError::text)
                .containsExactly("rewrite: too much work in ruleset a, rule 1");
    }

    @Test
    void callFanOutIsCutOff() throws Exception {
        // 15 calls per replacement, each calling 15 more, 50 deep: sendmail would run for ever
        RuleSets s = rules("Sa\nR$*\t$@ " + "$>a ".repeat(15) + "$1\n");
        Rewriter.Result r = new Rewriter(s, RewriteEnvironment.of(s)).rewrite("a", tokens("x"), Rewriter.SILENT);
        assertThat(r.status()).isNotEqualTo(ExitStatus.OK);
        assertThat(r.errors()).isNotEmpty();
    }

    @Test
    void theBuiltInCanonifyUsesOnlyTheConfiguredResolver() throws Exception {
        RuleSets s = rules("Sa\n");
        RewriteEnvironment local = RewriteEnvironment.of(s);
        assertThat(run(s, local, "canonify", "gw@example.org")).isEqualTo("gw < @ example . org >");
        assertThat(run(s, local, "canonify", "gw@Example.COM")).isEqualTo("gw < @ example . com . >");
        assertThat(run(s, local, "3", "gw@localhost.example.com")).isEqualTo("gw < @ mail . example . com . >");
        RewriteEnvironment dns = local.withResolver(HostResolver.table(java.util.Map.of("example.org", "mx.example.org")));
        assertThat(run(s, dns, "canonify", "gw@example.org")).isEqualTo("gw < @ mx . example . org . >");
        assertThat(run(s, local.withMacro("daemon_flags", "CC"), "canonify", "gw@example.org"))
                .isEqualTo("gw < @ example . org . >");
    }
}
