package dev.tacit.rules;

import java.util.List;

/**
 * A rules file (or the rule part of a sendmail.cf) that cannot be used. The message is the first
 * problem as one line, {@code file:line: reason}; {@link #errors()} has them all.
 */
public final class RulesException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    public RulesException(List<String> errors) {
        super(errors.isEmpty() ? "invalid rules" : errors.get(0));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
