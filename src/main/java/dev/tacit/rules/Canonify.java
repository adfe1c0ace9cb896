package dev.tacit.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in rule set 3, {@code canonify}, for rule files that call {@code $>canonify} or
 * {@code $>3} without defining it. It behaves like the one sendmail's m4 configuration generates,
 * for what sendmail-privacy.md 16 describes and the golden -bt recordings show:
 *
 * <ul>
 *   <li>{@code <>} becomes {@code < @ >}; an empty address too;
 *   <li>a {@code phrase <addr>} or {@code <addr>} is reduced to {@code addr}; a source route
 *       {@code @a,@b:user@host} to {@code user@host}; a {@code group:} prefix is dropped;
 *   <li>the host after the last {@code @} is focused: {@code user < @ host >}; {@code a%b} and
 *       {@code host!user} are turned into that form too;
 *   <li>then the host is canonicalised: {@code localhost} (and {@code localhost.$m}) and an
 *       {@code [address]} of this host (class w) become {@code $j .}; other addresses are left alone;
 *       a host the resolver knows becomes its canonical name with a trailing dot; a host in class w or
 *       M gets the trailing dot; a name already ending in a dot keeps one dot;
 *   <li>anything without {@code @} (a bare user name, {@code George Washington}) is returned as is.
 * </ul>
 *
 * <p>Security: only the configured {@link HostResolver} is asked about host names (by default,
 * configuration only, so a VRFY argument cannot trigger DNS traffic).
 */
final class Canonify {

    private final RuleSets sets;
    private final RewriteEnvironment env;
    private final Rewriter rewriter;

    Canonify(RuleSets sets, RewriteEnvironment env, Rewriter rewriter) {
        this.sets = sets;
        this.env = env;
        this.rewriter = rewriter;
    }

    private static Token lit(String s) {
        return Token.literal(s);
    }

    private static boolean is(List<Token> w, int i, String s) {
        return i >= 0 && i < w.size() && w.get(i).isLiteral(s);
    }

    private static int indexOf(List<Token> w, String s, int from) {
        for (int i = Math.max(from, 0); i < w.size(); i++) {
            if (w.get(i).isLiteral(s)) {
                return i;
            }
        }
        return -1;
    }

    private static List<Token> sub(List<Token> w, int from, int to) {
        return new ArrayList<>(w.subList(from, to));
    }

    private static List<Token> of(String... s) {
        List<Token> l = new ArrayList<>();
        for (String x : s) {
            l.add(lit(x));
        }
        return l;
    }

    List<Token> run(List<Token> input, int level, int maxTokens, Rewriter.Trace trace) {
        List<Token> w = new ArrayList<>(input);
        if (w.isEmpty()) {
            return of("<", "@", ">");
        }
        w = dropGroupPrefix(w);
        while (is(w, w.size() - 1, ";")) {
            w.remove(w.size() - 1);
        }
        int lt = indexOf(w, "<", 0);
        if (lt >= 0) {
            // <list:;> is a group with no members
            int colon = indexOf(w, ":", lt + 2);
            if (colon > lt + 1 && is(w, colon + 1, ";") && is(w, colon + 2, ">")) {
                List<Token> r = sub(w, lt + 1, colon);
                r.addAll(of(":", ";", "<", "@", ">"));
                return r;
            }
            // <addr;> is <addr>
            while (w.size() >= 2 && is(w, w.size() - 1, ">") && is(w, w.size() - 2, ";") && indexOf(w, "<", 0) >= 0) {
                w.remove(w.size() - 2);
            }
        }
        if (w.isEmpty()) {
            return of(":", ";", "<", "@", ">");
        }
        w = stripBrackets(w);
        if (w == null) {
            return of("<", "@", ">");
        }
        w = stripRoute(w);
        int at = indexOf(w, "@", 1);
        if (at > 0 && at < w.size() - 1) {
            // focus on the host after the last @
            int lastAt = at;
            for (int i = at + 1; i < w.size() - 1; i++) {
                if (w.get(i).isLiteral("@")) {
                    lastAt = i;
                }
            }
            return canonify2(focus(w, lastAt));
        }
        if (w.size() >= 3 && is(w, 1, "!")) {
            List<Token> r = sub(w, 2, w.size());
            r.addAll(of("<", "@"));
            r.add(w.get(0));
            r.addAll(of(".", "UUCP", ">"));
            return canonify2(r);
        }
        int bang = indexOf(w, "!", 1);
        if (bang > 0 && bang < w.size() - 1) {
            List<Token> host = sub(w, 0, bang);
            List<Token> r = sub(w, bang + 1, w.size());
            r.addAll(of("<", "@"));
            boolean dotted = host.size() >= 3 && is(host, host.size() - 2, ".");
            r.addAll(host);
            if (!dotted) {
                r.addAll(of(".", "UUCP"));
            }
            r.add(lit(">"));
            return canonify2(r);
        }
        if (indexOf(w, "%", 0) >= 0 || indexOf(w, "@", 0) >= 0) {
            // a%b%c@d: every % and @ but the last separator is a %, the last is the @
            int last = -1;
            for (int i = 0; i < w.size(); i++) {
                if (w.get(i).isLiteral("%") || w.get(i).isLiteral("@")) {
                    last = i;
                }
            }
            List<Token> r = new ArrayList<>();
            for (int i = 0; i < w.size(); i++) {
                Token t = w.get(i);
                if (i != last && t.isLiteral("@")) {
                    r.add(lit("%"));
                } else if (i == last) {
                    r.add(lit("@"));
                } else {
                    r.add(t);
                }
            }
            return canonify2(focus(r, last));
        }
        return canonify2(w);
    }

    private static List<Token> focus(List<Token> w, int at) {
        List<Token> r = sub(w, 0, at);
        r.add(lit("<"));
        r.addAll(w.subList(at, w.size()));
        r.add(lit(">"));
        return r;
    }

    /** "group: a, b" loses "group:" unless the colon belongs to brackets, a route, IPv6 or ::. */
    private static List<Token> dropGroupPrefix(List<Token> w) {
        int lt = indexOf(w, "<", 0);
        boolean bracketed = lt >= 0 && indexOf(w, ">", lt + 1) >= 0;
        boolean route = is(w, 0, "@");
        boolean ipv6 = false;
        for (int i = 0; i + 2 < w.size(); i++) {
            if (w.get(i).isLiteral("[") && w.get(i + 1).isLiteral("IPv6") && w.get(i + 2).isLiteral(":")) {
                ipv6 = true;
            }
        }
        boolean doubleColon = false;
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).isLiteral(":") && w.get(i + 1).isLiteral(":")) {
                doubleColon = true;
            }
        }
        boolean include = w.size() >= 3 && is(w, 0, ":") && is(w, 1, "include") && is(w, 2, ":");
        int colon = indexOf(w, ":", 0);
        if (colon < 0) {
            return w;
        }
        boolean marked = !(bracketed || route || ipv6 || doubleColon || include);
        if (!marked && is(w, w.size() - 1, "]") && indexOf(w, "[", colon + 1) >= 0) {
            marked = true;
        }
        return marked ? sub(w, colon + 1, w.size()) : w;
    }

    /**
     * Reduces "... < addr > ..." to addr: returns the tokens inside the brackets, the input when it has
     * none, or null for {@code <>}.
     */
    private static List<Token> stripBrackets(List<Token> in) {
        List<Token> w = new ArrayList<>(in.size() + 2);
        w.add(lit("<"));
        w.addAll(in);
        w.add(lit(">"));
        // anything before an inner '<' goes (the earliest '<' after the first token)
        for (;;) {
            int i = indexOf(w, "<", 1);
            if (i < 0) {
                break;
            }
            List<Token> n = new ArrayList<>();
            n.add(lit("<"));
            n.addAll(w.subList(i + 1, w.size() - 1));
            n.add(lit(">"));
            w = n;
        }
        // anything after the first '>' that is not the last token goes
        for (;;) {
            int j = indexOf(w, ">", 1);
            if (j < 0 || j >= w.size() - 1) {
                break;
            }
            List<Token> n = new ArrayList<>(w.subList(0, j));
            n.add(lit(">"));
            w = n;
        }
        if (w.size() == 2) {
            return null;
        }
        return sub(w, 1, w.size() - 1);
    }

    /** {@code @a,@b:user@host} becomes {@code user@host}. */
    private static List<Token> stripRoute(List<Token> w) {
        for (;;) {
            int comma = indexOf(w, ",", 2);
            if (!is(w, 0, "@") || comma < 0 || comma >= w.size() - 1) {
                break;
            }
            w = sub(w, comma + 1, w.size());
        }
        if (is(w, 0, "@") && is(w, 1, "[")) {
            int close = indexOf(w, "]", 2);
            if (close > 0 && is(w, close + 1, ":") && close + 2 < w.size()) {
                w = sub(w, close + 2, w.size());
            }
        }
        for (;;) {
            int colon = indexOf(w, ":", 2);
            if (!is(w, 0, "@") || colon < 0 || colon >= w.size() - 1) {
                break;
            }
            w = sub(w, colon + 1, w.size());
        }
        return w;
    }

    /** The second half: canonicalise the focused host {@code user < @ host > rest}. */
    private List<Token> canonify2(List<Token> w) {
        int lt = -1;
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).isLiteral("<") && w.get(i + 1).isLiteral("@")) {
                lt = i;
                break;
            }
        }
        if (lt < 0) {
            return w;
        }
        int gt = indexOf(w, ">", lt + 2);
        if (gt < 0) {
            return w;
        }
        List<Token> user = sub(w, 0, lt);
        List<Token> host = sub(w, lt + 2, gt);
        List<Token> rest = sub(w, gt + 1, w.size());
        List<Token> h = canonicalHost(host);
        List<Token> r = new ArrayList<>(user);
        r.addAll(of("<", "@"));
        r.addAll(h);
        r.add(lit(">"));
        r.addAll(rest);
        return r;
    }

    private List<Token> canonicalHost(List<Token> host) {
        if (host.isEmpty()) {
            return host;
        }
        List<Token> h = host;
        if (isLocalhost(h)) {
            h = selfName();
        } else if (is(h, 0, "[") && is(h, h.size() - 1, "]")) {
            if (!inClass("w", h)) {
                return h;
            }
            h = selfName();
        } else if (h.size() >= 3 && is(h, h.size() - 1, "UUCP") && is(h, h.size() - 2, ".")) {
            List<Token> base = sub(h, 0, h.size() - 2);
            var canon = env.resolver().canonical(Rewriter.stripQuotes(join(base)));
            if (canon.isPresent()) {
                List<Token> r = tokens(canon.get());
                r.add(lit("."));
                return r;
            }
            h = new ArrayList<>(h);
            h.add(lit("."));
        }
        if (endsInPseudoDomain(h)) {
            h = new ArrayList<>(h);
            h.add(lit("."));
        } else if (!noCanonify()) {
            var canon = env.resolver().canonical(Rewriter.stripQuotes(join(h)));
            if (canon.isPresent()) {
                h = tokens(canon.get().endsWith(".") ? canon.get() : canon.get() + ".");
            }
        } else if (indexOf(h, ".", 1) > 0 && indexOf(h, ".", 1) < h.size() - 1) {
            h = new ArrayList<>(h);
            h.add(lit("."));
        }
        if (inClass("w", h) || inClass("M", h)) {
            h = new ArrayList<>(h);
            h.add(lit("."));
        }
        while (h.size() >= 2 && is(h, h.size() - 1, ".") && is(h, h.size() - 2, ".")) {
            h = sub(h, 0, h.size() - 1);
        }
        return h;
    }

    private boolean isLocalhost(List<Token> h) {
        if (h.size() == 1 && is(h, 0, "localhost")) {
            return true;
        }
        if (h.size() < 2 || !is(h, 0, "localhost") || !is(h, 1, ".")) {
            return false;
        }
        List<Token> tail = sub(h, 2, h.size());
        if (tail.size() == 1 && is(tail, 0, "UUCP")) {
            return true;
        }
        List<Token> m = tokens(expandedMacro("m"));
        if (m.size() != tail.size()) {
            return false;
        }
        for (int i = 0; i < m.size(); i++) {
            if (!tail.get(i).isLiteral(m.get(i).text())) {
                return false;
            }
        }
        return true;
    }

    /** $j followed by a dot. */
    private List<Token> selfName() {
        List<Token> r = tokens(expandedMacro("j"));
        r.add(lit("."));
        return r;
    }

    private String expandedMacro(String name) {
        String raw = sets.macro(name);
        if (raw == null) {
            return "";
        }
        try {
            List<String> names = new ArrayList<>();
            return Tokenizer.plainText(ConfigText.expand(raw, sets::macro, names), names);
        } catch (ConfigText.TextException e) {
            return "";
        }
    }

    /** The host ends in a class-P word (m4 puts "." there: a name with a trailing dot is canonical). */
    private boolean endsInPseudoDomain(List<Token> h) {
        boolean haveP = !sets.classWords("P").isEmpty() || !env.extraClassWords("P").isEmpty();
        for (int i = h.size() - 1; i >= 0; i--) {
            List<Token> suffix = h.subList(i, h.size());
            if (haveP ? inClass("P", suffix) : (suffix.size() == 1 && suffix.get(0).isLiteral("."))) {
                return true;
            }
        }
        return false;
    }

    /** DaemonFlags CC (m4: don't canonify host names): {@code $&{daemon_flags}} holds a CC word. */
    private boolean noCanonify() {
        String flags = rewriter.deferred("daemon_flags");
        if (flags == null || flags.isEmpty()) {
            return false;
        }
        for (Token t : tokens(flags)) {
            if (t.isLiteral("CC")) {
                return true;
            }
        }
        return false;
    }

    private boolean inClass(String cls, List<Token> h) {
        return rewriter.inClass(cls, join(h));
    }

    private String join(List<Token> h) {
        return Rewriter.cat(h, sets.spaceSub(), true);
    }

    private List<Token> tokens(String s) {
        if (s.isEmpty()) {
            return new ArrayList<>();
        }
        Tokenizer.Scan scan = sets.tokenizer().scan(s);
        return scan instanceof Tokenizer.Scan.Tokens t ? new ArrayList<>(t.tokens()) : new ArrayList<>();
    }
}
