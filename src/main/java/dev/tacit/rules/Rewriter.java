package dev.tacit.rules;

import dev.tacit.smtp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * sendmail's rewrite engine (sendmail-privacy.md 15): runs a workspace of tokens through a rule set.
 *
 * <p>For each rule in order: stop if the workspace starts with {@code $#}; match the pattern against
 * the whole workspace ({@code $*} shortest first and growing on backtrack, {@code $+} one or more,
 * {@code $-} exactly one, {@code $=X} the shortest run of tokens whose concatenation is in class X,
 * {@code $~X} one token not in X, {@code $@} nothing, literals without regard to case); on a match
 * build the replacement ({@code $n}, {@code $&x}), do the {@code $[ $]} and {@code $( $)} lookups and
 * the {@code $>set} calls (right-most first), then go on as the prefix says: none repeats the rule,
 * {@code $:} moves to the next rule, {@code $@} returns.
 *
 * <p>Security: every loop is bounded as in sendmail: a rule applies at most 100 times in a row
 * ("Infinite loop in ruleset ..."), calls nest at most {@link RewriteEnvironment#maxRecursion()} deep,
 * a replacement holds at most 1000 tokens, a replacement makes at most 15 calls. Backtracking is
 * bounded by the pattern (at most 9 wildcards) and the workspace (at most 1000 tokens). Errors are
 * sendmail's syserr texts, returned as {@link RewriteError}s, never thrown.
 */
public final class Rewriter {

    /** MAXATOM. */
    static final int MAX_TOKENS = Tokenizer.MAX_TOKENS;
    /** Consecutive applications of one rule before the loop guard stops the set. */
    static final int MAX_LOOP = 100;
    /** MAX_SUBR: sendmail refuses the 16th call in one replacement. */
    static final int MAX_CALLS = 16;
    /**
     * Tacit's own bound on the work of one top-level rewrite (pattern steps, rule attempts, words
     * joined for class lookups). sendmail has none: a pattern like {@code $* $* $* $* $* x} against a
     * long workspace backtracks for ages, and calls fan out up to 15 wide and 50 deep. Real rule sets
     * need a few thousand steps.
     */
    static final long MAX_STEPS = 5_000_000;

    /** An error sendmail reports with syserr; {@code code} is 0 when the text carries none. */
    public record RewriteError(int code, String enhanced, String text) {
        /** The SMTP reply this error becomes when it happens during a command. */
        public Reply reply() {
            String t = Tokenizer.oneLine(text);
            return code == 0 ? Reply.of(554, "5.0.0", t) : Reply.of(code, enhanced, t);
        }
    }

    /** Receives what sendmail -bt prints while rewriting. */
    public interface Trace {
        default void input(String ruleset, List<Token> workspace) {}

        default void output(String ruleset, List<Token> workspace) {}

        default void error(RewriteError e) {}
    }

    /** No tracing. */
    public static final Trace SILENT = new Trace() {};

    /** The workspace after the rule set, sendmail's status ({@link ExitStatus}), and the errors on the way. */
    public record Result(List<Token> tokens, int status, List<RewriteError> errors) {
        public boolean ok() {
            return status == ExitStatus.OK;
        }
    }

    private final RuleSets sets;
    private final RewriteEnvironment env;
    private long steps;
    private String stepsExhaustedIn;

    public Rewriter(RuleSets sets, RewriteEnvironment env) {
        this.sets = sets;
        this.env = env;
    }

    public RuleSets ruleSets() {
        return sets;
    }

    public RewriteEnvironment environment() {
        return env;
    }

    /** Runs rule set {@code number} on {@code input}. */
    public Result rewrite(int number, List<Token> input, Trace trace) {
        List<RewriteError> errors = new ArrayList<>();
        Trace t = new Collecting(trace, errors);
        List<Token> ws = new ArrayList<>(input);
        int status = rewrite(ws, number, 0, MAX_TOKENS, t);
        return new Result(List.copyOf(ws), status, List.copyOf(errors));
    }

    /** Runs the named (or numbered) rule set; an unknown name is a {@code 554 5.3.5 Unknown ruleset} error. */
    public Result rewrite(String ruleset, List<Token> input, Trace trace) {
        int n = sets.find(ruleset);
        if (n < 0) {
            RewriteError e = new RewriteError(554, "5.3.5", "Unknown ruleset " + ruleset);
            trace.error(e);
            return new Result(List.copyOf(input), ExitStatus.CONFIG, List.of(e));
        }
        return rewrite(n, input, trace);
    }

    private static final class Collecting implements Trace {
        private final Trace next;
        private final List<RewriteError> errors;

        Collecting(Trace next, List<RewriteError> errors) {
            this.next = next;
            this.errors = errors;
        }

        @Override
        public void input(String ruleset, List<Token> workspace) {
            next.input(ruleset, workspace);
        }

        @Override
        public void output(String ruleset, List<Token> workspace) {
            next.output(ruleset, workspace);
        }

        @Override
        public void error(RewriteError e) {
            errors.add(e);
            next.error(e);
        }
    }

    /** Thrown inside one rewrite to leave it with a status, as sendmail's early returns do. */
    private static final class Abort extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Abort(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    int rewrite(List<Token> ws, int number, int level, int maxTokens, Trace trace) {
        if (level == 0) {
            steps = 0;
            stepsExhaustedIn = null;
        }
        String name = sets.name(number);
        trace.input(name, List.copyOf(ws));
        if (level > env.maxRecursion()) {
            trace.error(new RewriteError(0, null,
                    "rewrite: excessive recursion (max " + env.maxRecursion() + "), ruleset " + name));
            return ExitStatus.CONFIG;
        }
        level++;
        if (maxTokens <= 0) {
            return ExitStatus.USAGE;
        }
        if (sets.isBuiltinCanonify(number)) {
            List<Token> out = new Canonify(sets, env, this).run(ws, level, maxTokens, trace);
            ws.clear();
            ws.addAll(out);
            trace.output(name, List.copyOf(ws));
            return ExitStatus.OK;
        }
        List<Rule> rules = sets.rules(number);
        int status = ExitStatus.OK;
        int ruleIndex = 0;
        int loops = 0;
        try {
            while (ruleIndex < rules.size()) {
                if (!ws.isEmpty() && ws.get(0).is(Token.Op.MAILER)) {
                    break;
                }
                Rule rule = rules.get(ruleIndex);
                spend(1, name, ruleIndex, trace);
                if (++loops > MAX_LOOP) {
                    trace.error(new RewriteError(554, "5.3.5",
                            "Infinite loop in ruleset " + name + ", rule " + (ruleIndex + 1)));
                    break;
                }
                int[][] spans = match(rule.lhs(), ws);
                if (stepsExhaustedIn != null) {
                    spend(0, name, ruleIndex, trace);
                }
                if (spans == null) {
                    ruleIndex++;
                    loops = 0;
                    continue;
                }
                List<Token> rhs = rule.rhs();
                int from = 0;
                boolean last = false;
                if (!rhs.isEmpty() && rhs.get(0).is(Token.Op.USER)) {
                    from = 1;
                    ruleIndex++;
                    loops = 0;
                } else if (!rhs.isEmpty() && rhs.get(0).is(Token.Op.HOST)) {
                    from = 1;
                    last = true;
                }
                List<Token> out = substitute(rhs, from, spans, ws, name, maxTokens, trace);
                lookups(out, maxTokens, trace);
                int s = calls(out, level, trace);
                if (status == ExitStatus.OK || s == ExitStatus.TEMPFAIL) {
                    status = s;
                }
                ws.clear();
                ws.addAll(out);
                if (last) {
                    break;
                }
            }
        } catch (Abort a) {
            return a.status;
        }
        trace.output(name, List.copyOf(ws));
        return status;
    }

    /** Charges work to the budget; when it is spent, the set stops with an error, as a loop would. */
    private void spend(long n, String name, int ruleIndex, Trace trace) throws Abort {
        steps += n;
        if (steps > MAX_STEPS) {
            if (stepsExhaustedIn == null || stepsExhaustedIn.isEmpty()) {
                stepsExhaustedIn = name;
                trace.error(new RewriteError(554, "5.3.5",
                        "rewrite: too much work in ruleset " + name + ", rule " + (ruleIndex + 1)));
            }
            throw new Abort(ExitStatus.CONFIG);
        }
    }

    // ------------------------------------------------------------------------------------ matching

    /**
     * Matches {@code lhs} against the whole workspace. Returns the wildcards' spans as
     * {first, last} index pairs (last = first - 1 for an empty {@code $*}), or null.
     */
    int[][] match(List<Token> lhs, List<Token> ws) {
        int n = ws.size();
        int[] first = new int[10];
        int[] last = new int[10];
        int[] pattern = new int[10];
        int m = 0;
        int a = 0;
        int r = 0;
        outer:
        while (a < n || r < lhs.size()) {
            if (++steps > MAX_STEPS) {
                stepsExhaustedIn = "";
                return null;
            }
            if (r < lhs.size()) {
                Token p = lhs.get(r);
                if (a < n || p.is(Token.Op.ZERO_OR_MORE) || p.is(Token.Op.HOST)) {
                    switch (p.op()) {
                        case IN_CLASS -> {
                            pattern[m] = r;
                            first[m] = a;
                            int end = growClass(p.text(), ws, first[m], a, last, m);
                            if (end >= 0) {
                                a = end;
                                m++;
                                r++;
                                continue;
                            }
                        }
                        case NOT_IN_CLASS -> {
                            if (!inClass(p.text(), ws.get(a).text())) {
                                pattern[m] = r;
                                first[m] = a;
                                last[m] = a;
                                a++;
                                m++;
                                r++;
                                continue;
                            }
                        }
                        case EXACTLY_ONE, ONE_OR_MORE -> {
                            pattern[m] = r;
                            first[m] = a;
                            last[m] = a;
                            a++;
                            m++;
                            r++;
                            continue;
                        }
                        case ZERO_OR_MORE -> {
                            pattern[m] = r;
                            first[m] = a;
                            last[m] = a - 1;
                            m++;
                            r++;
                            continue;
                        }
                        case HOST -> {
                            r++;
                            continue;
                        }
                        case DEFERRED -> {
                            String v = deferred(p.text());
                            int at = a;
                            boolean same = true;
                            if (v != null) {
                                int off = 0;
                                while (off < v.length()) {
                                    if (at >= n || !regionMatchesIgnoreCase(v, off, ws.get(at).text())) {
                                        same = false;
                                        break;
                                    }
                                    off += ws.get(at).text().length();
                                    at++;
                                }
                            }
                            if (same) {
                                a = at;
                                r++;
                                continue;
                            }
                        }
                        default -> {
                            Token w = ws.get(a);
                            if (p.isLiteral() ? w.isLiteral(p.text()) : p.equals(w)) {
                                a++;
                                r++;
                                continue;
                            }
                        }
                    }
                }
            }
            // no match here: grow the most recent $*, $+ or $=X that still can, else fail
            while (--m >= 0) {
                steps++;
                r = pattern[m];
                Token p = lhs.get(r);
                a = last[m] + 1;
                if (a >= n) {
                    continue;
                }
                if (p.is(Token.Op.ONE_OR_MORE) || p.is(Token.Op.ZERO_OR_MORE)) {
                    last[m] = a;
                    a++;
                    m++;
                    r++;
                    continue outer;
                }
                if (p.is(Token.Op.IN_CLASS)) {
                    int end = growClass(p.text(), ws, first[m], a, last, m);
                    if (end >= 0) {
                        a = end;
                        m++;
                        r++;
                        continue outer;
                    }
                }
            }
            return null;
        }
        int[][] spans = new int[m][];
        for (int i = 0; i < m; i++) {
            spans[i] = new int[] {first[i], last[i]};
        }
        return spans;
    }

    /**
     * Extends a {@code $=X} match that starts at {@code from} by one token at a time, beginning with the
     * token at {@code at}, until the joined words are in the class. Returns the index after the match,
     * or -1 when the workspace runs out.
     */
    private int growClass(String cls, List<Token> ws, int from, int at, int[] last, int m) {
        while (at < ws.size()) {
            last[m] = at;
            at++;
            steps += at - from;
            if (steps > MAX_STEPS) {
                stepsExhaustedIn = "";
                return -1;
            }
            if (inClass(cls, join(ws, from, last[m]))) {
                return at;
            }
        }
        return -1;
    }

    private static boolean regionMatchesIgnoreCase(String value, int off, String token) {
        return value.regionMatches(true, off, token, 0, token.length());
    }

    boolean inClass(String cls, String word) {
        if (sets.inClass(cls, word)) {
            return true;
        }
        for (String w : env.extraClassWords(cls)) {
            if (w.equalsIgnoreCase(word)) {
                return true;
            }
        }
        return false;
    }

    String join(List<Token> ws, int from, int to) {
        return cat(ws.subList(from, to + 1), sets.spaceSub(), true);
    }

    /** A macro's value at run time: set in the environment, else its value when the rules were read. */
    String deferred(String name) {
        String v = env.macro(name);
        if (v != null) {
            return v;
        }
        String raw = sets.macro(name);
        if (raw == null) {
            return null;
        }
        try {
            List<String> names = new ArrayList<>();
            return Tokenizer.plainText(ConfigText.expand(raw, sets::macro, names), names);
        } catch (ConfigText.TextException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------ substitution

    private List<Token> substitute(List<Token> rhs, int from, int[][] spans, List<Token> ws, String name,
            int maxTokens, Trace trace) throws Abort {
        List<Token> out = new ArrayList<>(rhs.size() + ws.size());
        for (int i = from; i < rhs.size(); i++) {
            Token t = rhs.get(i);
            if (t.is(Token.Op.REPLACE)) {
                int k = t.text().charAt(0) - '1';
                if (k < 0 || k >= spans.length) {
                    trace.error(new RewriteError(554, "5.3.5",
                            "rewrite: ruleset " + name + ": replacement $" + t.text() + " out of bounds"));
                    throw new Abort(ExitStatus.CONFIG);
                }
                for (int j = spans[k][0]; j <= spans[k][1]; j++) {
                    if (out.size() >= maxTokens) {
                        tooLong(trace);
                    }
                    out.add(ws.get(j));
                }
            } else {
                if (out.size() >= maxTokens) {
                    tooLong(trace);
                }
                if (!t.is(Token.Op.DEFERRED)) {
                    out.add(t);
                    continue;
                }
                String v = deferred(t.text());
                if (v == null || v.isEmpty()) {
                    continue;
                }
                Tokenizer.Scan s = sets.tokenizer().scan(v, 0, '\0', Tokenizer.Table.ADDRESS, false,
                        Tokenizer.ADDRESS_BUFFER);
                for (Tokenizer.Problem p : s.problems()) {
                    trace.error(new RewriteError(p.code(), p.enhanced(), p.testModeText(v)));
                }
                if (!(s instanceof Tokenizer.Scan.Tokens tk)) {
                    throw new Abort(ExitStatus.DATAERR);
                }
                for (Token x : tk.tokens()) {
                    out.add(x);
                    if (out.size() >= maxTokens) {
                        tooLong(trace);
                    }
                }
            }
        }
        return out;
    }

    private static void tooLong(Trace trace) throws Abort {
        trace.error(new RewriteError(554, "5.3.0", "rewrite: expansion too long"));
        throw new Abort(ExitStatus.DATAERR);
    }

    // ---------------------------------------------------------------------------------- lookups

    private void lookups(List<Token> out, int maxTokens, Trace trace) throws Abort {
        for (int r = 0; r < out.size(); r++) {
            Token t = out.get(r);
            Token.Op end;
            String mapName;
            int keyStart;
            if (t.is(Token.Op.HOST_BEGIN)) {
                end = Token.Op.HOST_END;
                mapName = "host";
                keyStart = r + 1;
            } else if (t.is(Token.Op.LOOKUP_BEGIN)) {
                end = Token.Op.LOOKUP_END;
                if (r + 1 >= out.size()) {
                    trace.error(new RewriteError(554, "5.3.0", "rewrite: missing mapname"));
                    throw new Abort(ExitStatus.CONFIG);
                }
                mapName = out.get(r + 1).text();
                keyStart = r + 2;
            } else {
                continue;
            }
            // key, then "$@ arg" segments and one "$: default", up to the closing token
            int j = keyStart;
            List<Token> key = null;
            List<Token> dflt = null;
            List<String> args = new ArrayList<>();
            List<Token> seg = new ArrayList<>();
            char segKind = 'k';
            while (j < out.size() && !out.get(j).is(end)) {
                Token x = out.get(j);
                if (x.is(Token.Op.HOST) || x.is(Token.Op.USER)) {
                    if (segKind == 'k') {
                        key = seg;
                    } else if (segKind == 'a') {
                        args.add(cat(seg, sets.spaceSub(), true));
                    } else {
                        dflt = seg;
                    }
                    seg = new ArrayList<>();
                    segKind = x.is(Token.Op.HOST) ? 'a' : 'd';
                } else {
                    seg.add(x);
                }
                j++;
            }
            if (segKind == 'k') {
                key = seg;
            } else if (segKind == 'a') {
                args.add(cat(seg, sets.spaceSub(), true));
            } else {
                dflt = seg;
            }
            int endIndex = j < out.size() ? j : out.size() - 1;
            String keyText = cat(key, sets.spaceSub(), true);
            String replacement = null;
            boolean external = false;
            Optional<String> found;
            if (mapName.equals("host")) {
                found = keyText.isEmpty() ? Optional.empty() : env.resolver().canonical(stripQuotes(keyText))
                        .map(c -> c.endsWith(".") ? c : c + ".");
            } else {
                RewriteEnvironment.RuleMap map = env.map(mapName);
                if (map == null && sets.declaredMaps().contains(mapName)) {
                    found = Optional.empty();
                } else if (map == null) {
                    trace.error(new RewriteError(554, "5.3.0", "rewrite: map " + mapName + " not found"));
                    found = Optional.empty();
                } else {
                    found = map.lookup(stripQuotes(keyText), List.copyOf(args));
                }
            }
            if (found.isPresent()) {
                replacement = found.get();
                external = true;
            } else if (dflt != null) {
                replacement = cat(dflt, sets.spaceSub(), false);
            }
            List<Token> result;
            if (replacement == null) {
                result = new ArrayList<>(key);
            } else if (replacement.isEmpty()) {
                result = List.of();
            } else {
                Tokenizer.Scan s = sets.tokenizer().scan(replacement, 0, '\0',
                        external ? Tokenizer.Table.ADDRESS : Tokenizer.Table.INTERNAL, false, Tokenizer.ADDRESS_BUFFER);
                for (Tokenizer.Problem p : s.problems()) {
                    trace.error(new RewriteError(p.code(), p.enhanced(), p.testModeText(replacement)));
                }
                if (!(s instanceof Tokenizer.Scan.Tokens tk)) {
                    throw new Abort(ExitStatus.DATAERR);
                }
                result = tk.tokens();
            }
            List<Token> tail = new ArrayList<>(out.subList(endIndex + 1, out.size()));
            out.subList(r, out.size()).clear();
            out.addAll(result);
            if (out.size() + tail.size() >= maxTokens) {
                tooLong(trace);
            }
            out.addAll(tail);
            r = r + result.size() - 1;
        }
    }

    // ------------------------------------------------------------------------------------ calls

    private int calls(List<Token> out, int level, Trace trace) {
        List<int[]> pending = new ArrayList<>();
        for (int j = 0; j < out.size(); j++) {
            if (!out.get(j).is(Token.Op.CALL) || j + 1 >= out.size()) {
                continue;
            }
            String target = stripQuotes(out.get(j + 1).render());
            int n = sets.find(target);
            if (n < 0) {
                trace.error(new RewriteError(554, "5.3.5", "Unknown ruleset " + target));
                return ExitStatus.CONFIG;
            }
            if (sets.isEmpty(n)) {
                // calling an empty set does nothing: drop the call; the scan then skips one token, as sendmail's does
                out.remove(j);
                out.remove(j);
                continue;
            }
            if (pending.size() + 1 >= MAX_CALLS) {
                trace.error(new RewriteError(554, "5.3.0", "Too many subroutine calls (" + MAX_CALLS + " max)"));
                return ExitStatus.CONFIG;
            }
            pending.add(new int[] {n, j});
        }
        int status = ExitStatus.OK;
        for (int k = pending.size() - 1; k >= 0; k--) {
            int n = pending.get(k)[0];
            int at = pending.get(k)[1];
            out.remove(at);
            out.remove(at);
            List<Token> tail = new ArrayList<>(out.subList(at, out.size()));
            int s = rewrite(tail, n, level, MAX_TOKENS - at, trace);
            out.subList(at, out.size()).clear();
            out.addAll(tail);
            if (s != ExitStatus.OK && s != ExitStatus.TEMPFAIL) {
                return s;
            }
            if (status == ExitStatus.OK || s == ExitStatus.TEMPFAIL) {
                status = s;
            }
        }
        return status;
    }

    // ---------------------------------------------------------------------------------- helpers

    /**
     * Joins tokens as sendmail's cataddr does: {@code sep} only between two adjacent atoms (never next
     * to operators or quoted strings); {@code 0} for no separator.
     */
    static String cat(List<Token> tokens, char sep, boolean external) {
        StringBuilder sb = new StringBuilder();
        boolean prevAtom = false;
        for (Token t : tokens) {
            String s = t.isLiteral() ? t.text() : t.render();
            boolean atom = t.isLiteral() && !s.isEmpty() && isAtomStart(s.charAt(0));
            if (prevAtom && atom && sep != 0) {
                sb.append(sep);
            }
            sb.append(s);
            prevAtom = atom;
        }
        return sb.toString();
    }

    /** Whether sendmail's internal table calls this character an atom character. */
    static boolean isAtomStart(char c) {
        if (c == '"' || Tokenizer.isSpace(c)) {
            return false;
        }
        if (c < 128) {
            return Tokenizer.DEFAULT_OPERATORS.indexOf(c) < 0 && Tokenizer.FIXED_DELIMITERS.indexOf(c) < 0;
        }
        return c >= 0xa0 && c != 0xff;
    }

    /** Removes every double quote; a backslash keeps the next character (sendmail's stripquotes). */
    static String stripQuotes(String s) {
        if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                sb.append(s.charAt(++i));
            } else if (c != '"') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The enhanced code sendmail's usrerr adds when a reply text has none. */
    static String defaultEnhanced(int code) {
        return switch (code / 100) {
            case 2 -> "2.0.0";
            case 4 -> "4.0.0";
            case 5 -> "5.0.0";
            default -> null;
        };
    }
}
