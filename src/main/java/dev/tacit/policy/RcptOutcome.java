package dev.tacit.policy;

import dev.tacit.directory.Target;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the session does with one RCPT: the decision to apply; whether the recipient joins the
 * transaction; whether it really exists ({@code known} false: accepted only so the answer looks like
 * everyone else's, delivered nowhere); and its delivery targets.
 *
 * <p>{@code lookup} non-null: the answer was given before the directory was asked (an untrusted client
 * under enumeration_defense); whether the recipient exists arrives there, and {@code known} means
 * nothing until it has. The session joins it at the end of DATA.
 */
public record RcptOutcome(Decision decision, boolean accepted, boolean known, List<Target> targets, CompletableFuture<RcptCheck> lookup) {
    public RcptOutcome {
        targets = List.copyOf(targets);
    }

    public RcptOutcome(Decision decision, boolean accepted, boolean known, List<Target> targets) {
        this(decision, accepted, known, targets, null);
    }

    /** Accepted now, its existence to be learned from {@code lookup}. */
    static RcptOutcome pending(Decision decision, CompletableFuture<RcptCheck> lookup) {
        return new RcptOutcome(decision, true, false, List.of(), lookup);
    }
}
