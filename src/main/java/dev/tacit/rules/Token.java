package dev.tacit.rules;

import java.util.List;
import java.util.Locale;

/**
 * One token of a workspace or of a rule side: either a literal (an atom, an operator character, a
 * quoted string) or one of sendmail's rule operators ({@code $*}, {@code $#}, {@code $=w}, {@code $1},
 * ...).
 *
 * <p>Addresses from clients only ever produce literals, so a client cannot smuggle an operator into a
 * workspace: {@code $*} typed in a VRFY argument is the atom {@code $*}, never a wildcard.
 *
 * @param op the operator, or {@link Op#LITERAL}
 * @param text a literal's characters; the class name of {@code $=X}/{@code $~X}, the macro name of
 *     {@code $&x}, the digit of {@code $n}; empty for the other operators
 */
public record Token(Op op, String text) {

    /** sendmail's rule operators; {@code symbol} is the character after the {@code $}. */
    public enum Op {
        LITERAL(""),
        /** {@code $*}: zero or more tokens. */
        ZERO_OR_MORE("*"),
        /** {@code $+}: one or more tokens. */
        ONE_OR_MORE("+"),
        /** {@code $-}: exactly one token. */
        EXACTLY_ONE("-"),
        /** {@code $=X}: one or more tokens whose concatenation is in class X. */
        IN_CLASS("="),
        /** {@code $~X}: one token not in class X. */
        NOT_IN_CLASS("~"),
        /** {@code $1}..{@code $9}: the span a wildcard matched. */
        REPLACE(""),
        /** {@code $#}: mailer of a resolved triple. */
        MAILER("#"),
        /** {@code $@}: return prefix, host of a triple, map argument; on the LHS it matches nothing. */
        HOST("@"),
        /** {@code $:}: rewrite-once prefix, user of a triple, map default. */
        USER(":"),
        /** {@code $>}: subroutine call. */
        CALL(">"),
        /** {@code $?}: conditional (read time only). */
        COND_IF("?"),
        /** {@code $|}: conditional else, also an ordinary separator token in rules. */
        COND_ELSE("|"),
        /** {@code $.}: conditional end. */
        COND_FI("."),
        /** {@code $[}: host name lookup. */
        HOST_BEGIN("["),
        /** {@code $]}. */
        HOST_END("]"),
        /** {@code $(}: map lookup. */
        LOOKUP_BEGIN("("),
        /** {@code $)}. */
        LOOKUP_END(")"),
        /** {@code $&x}: macro value at run time. */
        DEFERRED("&");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        boolean isWildcard() {
            return this == ZERO_OR_MORE || this == ONE_OR_MORE || this == EXACTLY_ONE || this == IN_CLASS
                    || this == NOT_IN_CLASS;
        }
    }

    public Token {
        if (op == null || text == null) {
            throw new IllegalArgumentException("op and text are required");
        }
    }

    public static Token literal(String text) {
        return new Token(Op.LITERAL, text);
    }

    static Token op(Op op) {
        return new Token(op, "");
    }

    public boolean isLiteral() {
        return op == Op.LITERAL;
    }

    public boolean is(Op o) {
        return op == o;
    }

    /** A literal equal to {@code s} ignoring ASCII case (sendmail compares with strcasecmp). */
    public boolean isLiteral(String s) {
        return op == Op.LITERAL && equalsIgnoreAsciiCase(text, s);
    }

    static boolean equalsIgnoreAsciiCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            if (lowerAscii(a.charAt(i)) != lowerAscii(b.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    static String lowerAscii(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** How sendmail -bt prints a token (xputs): operators as {@code $x}, control characters escaped. */
    public String render() {
        return switch (op) {
            case LITERAL -> renderText(text);
            case IN_CLASS, NOT_IN_CLASS, DEFERRED -> "$" + op.symbol + macroName(text);
            case REPLACE -> "$" + text;
            default -> "$" + op.symbol;
        };
    }

    static String macroName(String name) {
        return name.length() == 1 ? name : "{" + name + "}";
    }

    static String renderText(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c >= 0x80 && c <= 0xff) {
                // sendmail prints a byte with the high bit as M- and its low seven bits
                char low = (char) (c & 0x7f);
                sb.append("M-");
                if (low >= 0x20 && low < 0x7f) {
                    sb.append(low);
                } else if (low == '\n') {
                    sb.append("\\n");
                } else if (low == '\t') {
                    sb.append("\\t");
                } else if (low == '\r') {
                    sb.append("\\r");
                }
            } else if (c > 0xff) {
                sb.append(c);
            }
            // other ASCII control characters print as nothing, as in sendmail
        }
        return sb.toString();
    }

    /** Tokens as -bt prints a workspace: each preceded by one space. */
    public static String renderList(List<Token> tokens) {
        StringBuilder sb = new StringBuilder();
        for (Token t : tokens) {
            sb.append(' ').append(t.render());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
