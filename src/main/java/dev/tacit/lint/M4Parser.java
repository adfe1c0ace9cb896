package dev.tacit.lint;

import java.util.ArrayList;
import java.util.List;

/**
 * Just enough m4 to read sendmail.mc files: {@code `quoted'} strings (nested), {@code dnl} (deletes
 * through the newline, also inside macro arguments), {@code #} comments, and macro calls
 * {@code NAME(arg, ...)} with m4's argument rules (leading white space of an argument dropped, one
 * level of quotes removed). It records each top-level call with the source span of each argument so
 * {@code --fix} can edit inside a value. No macro is expanded. An unterminated quote or call is a
 * {@link LintException} naming the line where it began.
 */
public final class M4Parser {

    /** One argument: its value (one level of quotes removed) and the raw span in the file. */
    public record Arg(String value, int start, int end) {}

    /** A top-level macro call; {@code args} is empty for a bare word such as LOCAL_RULESETS. */
    public record Call(String name, List<Arg> args, int start, int end) {}

    private final SourceFile file;
    private final String s;
    private int pos;

    private M4Parser(SourceFile file) {
        this.file = file;
        this.s = file.text();
    }

    public static List<Call> parse(SourceFile file) throws LintException {
        return new M4Parser(file).top();
    }

    private List<Call> top() throws LintException {
        List<Call> calls = new ArrayList<>();
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '`') {
                skipQuoted();
            } else if (c == '#') {
                skipToEol();
            } else if (isWordStart(c) && (pos == 0 || !isWordChar(s.charAt(pos - 1)))) {
                int start = pos;
                String word = word();
                if (word.equals("dnl")) {
                    skipToEol();
                    continue;
                }
                if (pos < s.length() && s.charAt(pos) == '(') {
                    List<Arg> args = args(start);
                    calls.add(new Call(word, args, start, pos));
                } else {
                    calls.add(new Call(word, List.of(), start, pos));
                }
            } else {
                pos++;
            }
        }
        return calls;
    }

    private List<Arg> args(int callStart) throws LintException {
        pos++; // (
        List<Arg> args = new ArrayList<>();
        StringBuilder value = new StringBuilder();
        int depth = 0;
        boolean leading = true;
        int argStart = pos;
        while (true) {
            if (pos >= s.length()) {
                throw new LintException(file.display(), file.lineOf(callStart), "unterminated macro call (missing ')')");
            }
            char c = s.charAt(pos);
            if (leading && Character.isWhitespace(c)) {
                pos++;
                argStart = pos;
                continue;
            }
            if (c == '`') {
                int q = pos;
                skipQuoted();
                if (leading) {
                    argStart = q;
                }
                leading = false;
                value.append(s, q + 1, pos - 1);
                continue;
            }
            if (c == '#') {
                int h = pos;
                skipToEol();
                value.append(s, h, pos);
                leading = false;
                continue;
            }
            if (isWordStart(c) && (pos == 0 || !isWordChar(s.charAt(pos - 1)))) {
                int w = pos;
                String word = word();
                if (word.equals("dnl")) {
                    skipToEol();
                    continue;
                }
                if (leading) {
                    argStart = w;
                }
                leading = false;
                value.append(word);
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if ((c == ',' || c == ')') && depth == 0) {
                args.add(new Arg(value.toString(), argStart, pos));
                value.setLength(0);
                pos++;
                if (c == ')') {
                    return args;
                }
                leading = true;
                argStart = pos;
                continue;
            }
            if (leading) {
                argStart = pos;
            }
            leading = false;
            value.append(c);
            pos++;
        }
    }

    private void skipQuoted() throws LintException {
        int start = pos;
        int depth = 0;
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '`') {
                depth++;
            } else if (c == '\'') {
                depth--;
                if (depth == 0) {
                    return;
                }
            }
        }
        throw new LintException(file.display(), file.lineOf(start), "unterminated m4 quote (a ` without its closing ')");
    }

    private void skipToEol() {
        int nl = s.indexOf('\n', pos);
        pos = nl < 0 ? s.length() : nl + 1;
    }

    private String word() {
        int start = pos;
        while (pos < s.length() && isWordChar(s.charAt(pos))) {
            pos++;
        }
        return s.substring(start, pos);
    }

    private static boolean isWordStart(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    }

    private static boolean isWordChar(char c) {
        return isWordStart(c) || (c >= '0' && c <= '9');
    }
}
