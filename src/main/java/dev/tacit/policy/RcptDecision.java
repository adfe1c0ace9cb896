package dev.tacit.policy;

import dev.tacit.directory.Target;
import java.util.List;

/**
 * The policy's answer to one RCPT: the decision to send, and when the recipient is accepted the
 * delivery targets it expands to (empty when it is refused).
 */
public record RcptDecision(Decision decision, boolean accepted, List<Target> targets) {
    public RcptDecision {
        targets = List.copyOf(targets);
    }

    public static RcptDecision refuse(Decision d) {
        return new RcptDecision(d, false, List.of());
    }
}
