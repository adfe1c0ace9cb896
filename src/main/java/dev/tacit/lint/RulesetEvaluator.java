package dev.tacit.lint;

import dev.tacit.lint.SendmailSettings.Ruleset;
import java.util.HashSet;

/**
 * Decides whether a check_vrfy/check_expn rule set restricts anything. The static answer looks for
 * a rule that returns {@code $#error} (not quarantine), here or in a local rule set it calls. A
 * rewrite-engine evaluation against canary names can replace it (see the rules package).
 */
public interface RulesetEvaluator {

    /** @param detail a short explanation for the finding, or "" */
    record Result(boolean rejects, String detail) {}

    Result evaluate(SendmailSettings settings, Ruleset ruleset);

    RulesetEvaluator STATIC = (settings, rs) -> new Result(
            SendmailChecker.canReject(settings, rs, new HashSet<>()), "");
}
