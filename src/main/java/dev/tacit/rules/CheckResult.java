package dev.tacit.rules;

import dev.tacit.smtp.Reply;
import java.util.List;

/**
 * What a {@code check_vrfy}/{@code check_expn} rule set decided about one argument (sendmail-privacy.md
 * 7.2). Only {@link Reject} ends the command; every other result lets VRFY/EXPN go on with the
 * client's original argument (the rule set cannot rewrite it).
 */
public sealed interface CheckResult {

    /** The rule set is not defined: the command goes on as if it had been accepted. */
    record NotDefined() implements CheckResult {}

    /** No {@code $#}, {@code $#OK} or another non-error mailer: accepted. */
    record Accept(List<Token> workspace) implements CheckResult {
        public Accept {
            workspace = List.copyOf(workspace);
        }
    }

    /** {@code $#discard}: accepted, the envelope is to be discarded. */
    record Discard(String argument) implements CheckResult {}

    /** {@code $#error $@ quarantine $: text}: accepted, the envelope is to be quarantined. */
    record Quarantine(String argument, String reason) implements CheckResult {}

    /**
     * Refused: {@code reply} is the command's only answer. {@code argument} is the text the rule set
     * was run on (an element of a list when fail-closed checking found it); {@code detail} is the
     * engine's own error text for {@link Cause#ENGINE_ERROR}, else null.
     */
    record Reject(Reply reply, String argument, Cause cause, int exitStatus, String detail) implements CheckResult {}

    /**
     * sendmail's fail-open case (spec 7.3): the argument could not be tokenized, so the rule set was
     * not run. Only {@link PolicyCheck#check} returns this; {@link PolicyCheck#checkFailClosed} never
     * does. {@code problem} is null when the argument had no tokens at all.
     */
    record Unchecked(String argument, Tokenizer.Problem problem) implements CheckResult {}

    /** Why a {@link Reject}. */
    enum Cause {
        /** The rule set returned {@code $#error}. */
        RULESET,
        /** The engine stopped with an error (loop guard, unknown set, missing map...), as sendmail answers. */
        ENGINE_ERROR,
        /** Tacit's fail-closed refusal of an argument the tokenizer cannot take. */
        UNTOKENIZABLE
    }
}
