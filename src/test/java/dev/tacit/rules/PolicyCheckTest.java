package dev.tacit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The check_* result mapping beyond what the recordings cover, fail-closed checking and log lines. */
class PolicyCheckTest {

    private static PolicyCheck policy(String rules) throws RulesException {
        RuleSets s = RuleFileParser.parse(rules, "p.rules", null,
                RuleFileParser.Options.forHost("mail.example.com", List.of()));
        return new PolicyCheck(s, RewriteEnvironment.of(s));
    }

    private static String reply(CheckResult r) {
        assertThat(r).isInstanceOf(CheckResult.Reject.class);
        return ((CheckResult.Reject) r).reply().toString();
    }

    @Test
    void replyTextRules() throws Exception {
        PolicyCheck p = policy("""
                Scheck_vrfy
                Ra\t$# error $@ 4.7.1 $: "450 later"
                Rb\t$# error $: "550 5.1.3 own code"
                Rc\t$# error $@ 5.7.1 $: no code here
                Rd\t$# error $@ nouser $: "550 word dsn"
                Re\t$# error $: "421 closing now"
                Rf\t$# error $: "251 <f@$j>"
                Rh $*\t$# error $: "550" $1 "!"
                Ri\t$# error $@ $: "550 empty host"
                Rj\t$# error $@ 5.7.1
                """);
        assertThat(reply(p.check("check_vrfy", "a"))).isEqualTo("450 4.7.1 later");
        assertThat(reply(p.check("check_vrfy", "b"))).isEqualTo("550 5.1.3 own code");
        assertThat(reply(p.check("check_vrfy", "c"))).isEqualTo("553 5.3.0 no code here");
        assertThat(reply(p.check("check_vrfy", "d"))).isEqualTo("550 5.0.0 word dsn");
        assertThat(reply(p.check("check_vrfy", "e"))).isEqualTo("421 4.0.0 closing now");
        assertThat(reply(p.check("check_vrfy", "f"))).isEqualTo("251 2.0.0 <f@mail.example.com>");
        // a quoted string is not a word: no space after "550", so there is no code
        assertThat(reply(p.check("check_vrfy", "h x y . z"))).isEqualTo("553 5.3.0 550x y.z!");
        assertThat(reply(p.check("check_vrfy", "i"))).isEqualTo("550 5.0.0 empty host");
        assertThat(reply(p.check("check_vrfy", "j"))).isEqualTo("554 5.3.5 buildaddr: no user");
        assertThat(((CheckResult.Reject) p.check("check_vrfy", "a")).exitStatus()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(((CheckResult.Reject) p.check("check_vrfy", "d")).exitStatus()).isEqualTo(ExitStatus.NOUSER);
        assertThat(((CheckResult.Reject) p.check("check_vrfy", "c")).exitStatus()).isEqualTo(ExitStatus.UNAVAILABLE);
    }

    @Test
    void acceptsDiscardsAndQuarantines() throws Exception {
        PolicyCheck p = policy("""
                Scheck_vrfy
                Rok\t$# OK
                Rlocal\t$# local $: gw
                Rdis\t$# discard $: x
                Rq\t$# error $@ quarantine $: held "for" review
                Rq2\t$# error $@ quarantine
                Rrw\t$@ something else
                """);
        assertThat(p.check("check_vrfy", "ok")).isInstanceOf(CheckResult.Accept.class);
        assertThat(p.check("check_vrfy", "local")).isInstanceOf(CheckResult.Accept.class);
        assertThat(p.check("check_vrfy", "rw")).isInstanceOf(CheckResult.Accept.class);
        assertThat(p.check("check_vrfy", "dis")).isInstanceOf(CheckResult.Discard.class);
        assertThat(p.check("check_vrfy", "q")).isEqualTo(new CheckResult.Quarantine("q", "held\"for\"review"));
        assertThat(p.check("check_vrfy", "q2")).isEqualTo(new CheckResult.Quarantine("q2", "check_vrfy"));
        assertThat(p.check("check_expn", "q")).isInstanceOf(CheckResult.NotDefined.class);
        assertThat(p.isDefined("check_expn")).isFalse();
    }

    @Test
    void engineErrorsAreTheAnswer() throws Exception {
        PolicyCheck p = policy("""
                Scheck_vrfy
                Rloop $*\tloop $1 x
                Rcall\t$: $>nosuch x
                Rmap\t$@ $( nomap k $)
                """);
        CheckResult loop = p.check("check_vrfy", "loop");
        assertThat(reply(loop)).isEqualTo("554 5.3.5 Infinite loop in ruleset check_vrfy, rule 1");
        assertThat(PolicyCheck.logEntry("check_vrfy", "c", loop)).get()
                .isEqualTo(new PolicyCheck.LogEntry(0, "crit", true, "SYSERR(root): Infinite loop in ruleset check_vrfy, rule 1"));
        assertThat(reply(p.check("check_vrfy", "call"))).isEqualTo("554 5.3.5 Unknown ruleset nosuch");
        assertThat(reply(p.check("check_vrfy", "map"))).isEqualTo("554 5.3.0 rewrite: map nomap not found");
    }

    @Test
    void failClosedChecksElementsAndUntokenizableArguments() throws Exception {
        PolicyCheck p = policy("""
                Scheck_vrfy
                Rok\t$@ ok
                Rbad\t$# error $: "550 not bad"
                R$*\t$@ $1
                """);
        // a list accepted as a whole still has its elements checked
        assertThat(p.check("check_vrfy", "ok, bad")).isInstanceOf(CheckResult.Accept.class);
        CheckResult r = p.checkFailClosed("check_vrfy", "ok, bad");
        assertThat(reply(r)).isEqualTo("550 5.0.0 not bad");
        assertThat(((CheckResult.Reject) r).argument()).isEqualTo("bad");
        // too big for the tokenizer: each element goes through the rule set
        String many = "ok, ".repeat(300) + "ok";
        assertThat(p.check("check_vrfy", many)).isInstanceOf(CheckResult.Unchecked.class);
        assertThat(p.checkFailClosed("check_vrfy", many)).isInstanceOf(CheckResult.Accept.class);
        assertThat(reply(p.checkFailClosed("check_vrfy", many + ", bad"))).isEqualTo("550 5.0.0 not bad");
        // an element that cannot be tokenized gets the tokenizer's own reply
        CheckResult tooLong = p.checkFailClosed("check_vrfy", "ok, " + "y".repeat(300));
        assertThat(reply(tooLong)).startsWith("553 5.1.0 yyy").endsWith("... prescan: token too long");
        assertThat(((CheckResult.Reject) tooLong).cause()).isEqualTo(CheckResult.Cause.UNTOKENIZABLE);
        // nothing but a comment: the rule set runs on an empty workspace
        assertThat(p.check("check_vrfy", "(just a comment)")).isInstanceOf(CheckResult.Unchecked.class);
        assertThat(p.checkFailClosed("check_vrfy", "(just a comment)")).isInstanceOf(CheckResult.Accept.class);
    }

    @Test
    void listElementsAreSplitWhereSendmailSplitsThem() {
        assertThat(PolicyCheck.elements("a, b,c ,, d")).containsExactly("a", "b", "c", "d");
        assertThat(PolicyCheck.elements("\"x, y\" <a@b>, (c, d) e")).containsExactly("\"x, y\" <a@b>", "(c, d) e");
        assertThat(PolicyCheck.elements("<@r1,@r2:u@h>, v")).containsExactly("<@r1,@r2:u@h>", "v");
        assertThat(PolicyCheck.elements("<a,b>")).containsExactly("<a", "b>");
        assertThat(PolicyCheck.elements("a\\,b, c")).containsExactly("a\\,b", "c");
    }

    @Test
    void logLines() {
        var reject = new CheckResult.Reject(dev.tacit.smtp.Reply.of(252, "2.5.2", "VRFY forbidden"), "gw",
                CheckResult.Cause.RULESET, ExitStatus.OK, null);
        assertThat(PolicyCheck.logEntry("check_vrfy", "localhost [127.0.0.1]", reject)).get().isEqualTo(
                new PolicyCheck.LogEntry(3, "notice", false,
                        "ruleset=check_vrfy, arg1=gw, relay=localhost [127.0.0.1], reject=252 2.5.2 VRFY forbidden"));
        assertThat(PolicyCheck.logEntry("check_expn", null, new CheckResult.Discard("all")).get().text())
                .isEqualTo("ruleset=check_expn, arg1=all, discard");
        assertThat(PolicyCheck.logEntry("check_expn", "r", new CheckResult.Quarantine("all", "held")).get().text())
                .isEqualTo("ruleset=check_expn, arg1=all, relay=r, quarantine=held");
        assertThat(PolicyCheck.logEntry("check_expn", "r", new CheckResult.Accept(List.of()))).isEmpty();
    }
}
