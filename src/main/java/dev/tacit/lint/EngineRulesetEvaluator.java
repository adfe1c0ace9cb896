package dev.tacit.lint;

import dev.tacit.lint.SendmailSettings.CfRule;
import dev.tacit.lint.SendmailSettings.Ruleset;
import dev.tacit.rules.CheckResult;
import dev.tacit.rules.PolicyCheck;
import dev.tacit.rules.RewriteEnvironment;
import dev.tacit.rules.RuleFileParser;
import dev.tacit.rules.RuleSets;
import dev.tacit.rules.RulesException;
import dev.tacit.rules.SendmailCf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;

/**
 * Decides whether check_vrfy/check_expn restrict anything by running them in Tacit's copy of
 * sendmail's rewrite engine ({@code dev.tacit.rules}) on probe arguments, the way a prober would send
 * them: real-looking local names in every form (bare, {@code <user@host>}, {@code user@localhost}, a
 * full name), role names, a list alias and a random name. The host is taken to be mail.example.com
 * (class w: it, example.com, localhost); host lookups go nowhere. It also shows sendmail's bypass
 * (sendmail-privacy.md 7.3): a list of 261 names is not checked at all. When the engine cannot read
 * the rule set or stops with an error on every probe, the static reading
 * ({@link RulesetEvaluator#STATIC}) decides.
 */
public final class EngineRulesetEvaluator implements RulesetEvaluator {

    static final List<String> PROBES = List.of("gw", "root", "nosuchuser-q7x2k", "postmaster", "all",
            "<gw@mail.example.com>", "gw@example.com", "gw@localhost", "George Washington", "gw, tj");

    @Override
    public Result evaluate(SendmailSettings s, Ruleset rs) {
        RuleSets sets;
        try {
            RuleFileParser.Options options = RuleFileParser.Options.forHost("mail.example.com", List.of("example.com"))
                    .lenient(true);
            Path base = s.file.path().toAbsolutePath().getParent();
            sets = SendmailCf.parse(rulesText(s), s.file.display(), base, options).ruleSets();
        } catch (RulesException | RuntimeException e) {
            Result r = STATIC.evaluate(s, rs);
            return new Result(r.rejects(), "the rewrite engine could not read it, so judged by its rules alone");
        }
        PolicyCheck check = new PolicyCheck(sets, RewriteEnvironment.of(sets));
        List<String> rejected = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        String engineError = null;
        for (String probe : PROBES) {
            CheckResult res = check.check(rs.name(), probe);
            if (res instanceof CheckResult.Reject rej) {
                if (rej.cause() == CheckResult.Cause.RULESET) {
                    rejected.add(probe);
                } else if (engineError == null) {
                    engineError = rej.detail();
                }
            } else {
                accepted.add(probe);
            }
        }
        if (rejected.isEmpty() && engineError != null) {
            Result r = STATIC.evaluate(s, rs);
            return new Result(r.rejects(), "the rewrite engine stopped with \"" + engineError + "\", so judged by its rules alone");
        }
        String name = rs.name();
        if (rejected.isEmpty()) {
            return new Result(false, "run in the rewrite engine, " + name + " accepts all " + PROBES.size()
                    + " probe arguments, " + quoted(accepted));
        }
        StringBuilder d = new StringBuilder("run in the rewrite engine, " + name + " rejects " + rejected.size() + " of "
                + PROBES.size() + " probe arguments");
        if (!accepted.isEmpty()) {
            d.append(" and lets through ").append(quoted(accepted));
        }
        String list = String.join(", ", Collections.nCopies(261, "gw"));
        if (check.check(name, list) instanceof CheckResult.Unchecked) {
            d.append("; a list of 261 copies of one name is not checked at all");
        }
        return new Result(true, d.toString());
    }

    private static String quoted(List<String> probes) {
        List<String> q = new ArrayList<>();
        for (String p : probes) {
            q.add("\"" + p + "\"");
        }
        return String.join(", ", q);
    }

    /** A .cf is read whole (the engine imports only what check_ sets use); a .mc's LOCAL_RULESETS lines alone. */
    private static String rulesText(SendmailSettings s) {
        if (s.mc) {
            StringBuilder sb = new StringBuilder();
            java.util.Set<Integer> seen = new HashSet<>();
            for (Ruleset r : s.rulesets.values()) {
                if (seen.add(r.line())) {
                    sb.append(s.file.line(r.line()).text()).append('\n');
                }
                for (CfRule rule : r.rules()) {
                    sb.append(s.file.line(rule.line()).text()).append('\n');
                }
            }
            return sb.toString();
        }
        return s.file.text();
    }
}
