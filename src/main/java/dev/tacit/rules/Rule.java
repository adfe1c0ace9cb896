package dev.tacit.rules;

import java.util.List;

/**
 * One {@code R} line: the pattern, the replacement and where it came from.
 *
 * @param wildcards how many of {@code $* $+ $- $=X $~X} the pattern has (the {@code $n} that exist)
 */
public record Rule(List<Token> lhs, List<Token> rhs, int wildcards, String file, int line) {

    public Rule {
        lhs = List.copyOf(lhs);
        rhs = List.copyOf(rhs);
    }

    /** The rule as sendmail's {@code =S} prints it. */
    public String render() {
        StringBuilder sb = new StringBuilder("R");
        for (Token t : lhs) {
            sb.append(t.render()).append(' ');
        }
        sb.append("\t\t");
        for (Token t : rhs) {
            sb.append(t.render()).append(' ');
        }
        return sb.toString();
    }
}
