package dev.tacit.rules;

import java.util.List;
import java.util.function.Function;

/**
 * The text of one configuration line as sendmail prepares it before tokenizing (sendmail-privacy.md
 * 13): a {@code #} comment is cut off, {@code $$} is a dollar, {@code $x} and {@code ${name}} macros
 * are replaced by their values at read time, {@code $?x ... $| ... $.} conditionals are decided, and
 * the rule operators ({@code $* $+ $- $=X $~X $1 $# $@ $: $> $[ $] $( $) $&x $|}) become private-use
 * characters that {@link Tokenizer} turns into operator tokens.
 */
final class ConfigText {

    private ConfigText() {}

    /** sendmail's MaxMacroRecursion. */
    static final int MAX_MACRO_DEPTH = 10;

    /** Thrown for a malformed {@code $} sequence; the message is sendmail-style, without file and line. */
    static final class TextException extends Exception {
        private static final long serialVersionUID = 1L;

        TextException(String message) {
            super(message);
        }
    }

    /**
     * Cuts a {@code #} comment: a {@code #} that is not the first character and does not follow a
     * {@code $} (that is {@code $#}) or a backslash (which is removed) ends the line, together with the
     * white space before it (up to the next newline of a folded line). Trailing white space goes too.
     */
    static String stripComment(String line) {
        StringBuilder out = new StringBuilder(line.length());
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '#' && i > 0) {
                if (!out.isEmpty() && out.charAt(out.length() - 1) == '\\') {
                    out.setCharAt(out.length() - 1, '#');
                    i++;
                    continue;
                }
                while (!out.isEmpty() && Tokenizer.isSpace(out.charAt(out.length() - 1))
                        && out.charAt(out.length() - 1) != '\n') {
                    out.setLength(out.length() - 1);
                }
                int nl = line.indexOf('\n', i);
                if (nl < 0) {
                    break;
                }
                i = nl;
                continue;
            }
            if (c == '$' && i + 1 < line.length()) {
                // keep the whole $ sequence, so that the '#' of $# is not taken for a comment
                int end = nameEnd(line, i + 1);
                out.append(line, i, end);
                i = end;
                continue;
            }
            out.append(c);
            i++;
        }
        int n = out.length();
        while (n > 0 && Tokenizer.isSpace(out.charAt(n - 1))) {
            n--;
        }
        out.setLength(n);
        return out.toString();
    }

    /** Index after the name of a {@code $} sequence whose name part starts at {@code i}. */
    private static int nameEnd(String s, int i) {
        if (s.charAt(i) == '$') {
            return i + 1;
        }
        if ("=~&?".indexOf(s.charAt(i)) >= 0 && i + 1 < s.length()) {
            i++;
        }
        if (s.charAt(i) == '{') {
            int close = s.indexOf('}', i);
            return close < 0 ? s.length() : close + 1;
        }
        return i + 1;
    }

    /**
     * Expands {@code raw} for tokenizing. {@code macros} gives a macro's raw value (itself expanded
     * here), or null when undefined; {@code names} collects the class and macro names the operator
     * characters refer to.
     */
    static String expand(String raw, Function<String, String> macros, List<String> names) throws TextException {
        StringBuilder out = new StringBuilder(raw.length() + 16);
        expandInto(raw, macros, names, out, 0);
        return out.toString();
    }

    private static void expandInto(String s, Function<String, String> macros, List<String> names,
            StringBuilder out, int depth) throws TextException {
        if (depth > MAX_MACRO_DEPTH) {
            throw new TextException("expand: recursion too deep (" + MAX_MACRO_DEPTH + " max)");
        }
        int ifLevel = 0;
        int skipLevel = 0;
        boolean skipping = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$' || i + 1 == s.length()) {
                if (!skipping) {
                    out.append(c);
                }
                i++;
                continue;
            }
            char kind = s.charAt(i + 1);
            if (kind == '$') {
                if (!skipping) {
                    out.append('$');
                }
                i += 2;
                continue;
            }
            int nameStart = i + 2;
            if ("=~&?".indexOf(kind) < 0) {
                kind = 0;
                nameStart = i + 1;
            }
            if (nameStart >= s.length()) {
                throw new TextException("Name required for macro/class");
            }
            String name;
            if (s.charAt(nameStart) == '{') {
                int close = s.indexOf('}', nameStart);
                if (close < 0) {
                    throw new TextException("Unbalanced { on " + s.substring(nameStart));
                }
                name = s.substring(nameStart + 1, close);
                if (name.isEmpty()) {
                    throw new TextException("Name required for macro/class");
                }
                i = close + 1;
            } else {
                name = String.valueOf(s.charAt(nameStart));
                i = nameStart + 1;
            }
            switch (kind) {
                case '?' -> {
                    ifLevel++;
                    if (skipping) {
                        skipLevel++;
                    } else {
                        String v = macros.apply(name);
                        skipping = v == null || v.isEmpty();
                    }
                }
                case '=' -> emit(out, skipping, Token.Op.IN_CLASS, name, names);
                case '~' -> emit(out, skipping, Token.Op.NOT_IN_CLASS, name, names);
                case '&' -> emit(out, skipping, Token.Op.DEFERRED, name, names);
                default -> {
                    Token.Op op = name.length() == 1 ? operatorFor(name.charAt(0)) : null;
                    if (op == Token.Op.COND_ELSE && ifLevel > 0) {
                        if (skipLevel == 0) {
                            skipping = !skipping;
                        }
                    } else if (op == Token.Op.COND_FI && ifLevel > 0) {
                        ifLevel--;
                        if (skipLevel == 0) {
                            skipping = false;
                        }
                        if (skipping) {
                            skipLevel--;
                        }
                    } else if (op != null) {
                        if (!skipping) {
                            out.append((char) (Tokenizer.META_BASE + op.ordinal()));
                        }
                    } else if (name.length() == 1 && name.charAt(0) >= '0' && name.charAt(0) <= '9') {
                        emit(out, skipping, Token.Op.REPLACE, name, names);
                    } else if (!skipping) {
                        String v = macros.apply(name);
                        if (v != null) {
                            expandInto(v, macros, names, out, depth + 1);
                        }
                    }
                }
            }
        }
    }

    private static void emit(StringBuilder out, boolean skipping, Token.Op op, String name, List<String> names)
            throws TextException {
        if (skipping) {
            return;
        }
        int idx = names.indexOf(name);
        if (idx < 0) {
            if (names.size() >= 0x100) {
                throw new TextException("too many class and macro names on one line");
            }
            names.add(name);
            idx = names.size() - 1;
        }
        out.append((char) (Tokenizer.META_BASE + op.ordinal())).append((char) (Tokenizer.NAME_BASE + idx));
    }

    static Token.Op operatorFor(char c) {
        return switch (c) {
            case '*' -> Token.Op.ZERO_OR_MORE;
            case '+' -> Token.Op.ONE_OR_MORE;
            case '-' -> Token.Op.EXACTLY_ONE;
            case '#' -> Token.Op.MAILER;
            case '@' -> Token.Op.HOST;
            case ':' -> Token.Op.USER;
            case '>' -> Token.Op.CALL;
            case '|' -> Token.Op.COND_ELSE;
            case '.' -> Token.Op.COND_FI;
            case '[' -> Token.Op.HOST_BEGIN;
            case ']' -> Token.Op.HOST_END;
            case '(' -> Token.Op.LOOKUP_BEGIN;
            case ')' -> Token.Op.LOOKUP_END;
            default -> null;
        };
    }

    /** A value given by the caller (a host name, say) as raw text that expands to itself. */
    static String quoteDollars(String plain) {
        return plain.replace("$", "$$");
    }
}
