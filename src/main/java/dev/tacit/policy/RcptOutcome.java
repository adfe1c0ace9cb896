package dev.tacit.policy;

import dev.tacit.directory.Target;
import java.util.List;

/**
 * What the session does with one RCPT: the decision to apply; whether the recipient joins the
 * transaction; whether it really exists ({@code known} false: accepted only so the answer looks like
 * everyone else's, delivered nowhere); and its delivery targets.
 */
public record RcptOutcome(Decision decision, boolean accepted, boolean known, List<Target> targets) {
    public RcptOutcome {
        targets = List.copyOf(targets);
    }
}
