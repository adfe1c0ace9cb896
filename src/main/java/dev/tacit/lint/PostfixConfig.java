package dev.tacit.lint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Postfix main.cf and master.cf, read together as one configuration as Postfix does: main.cf
 * {@code name = value} with continuation lines (a line starting with white space continues the
 * previous one; {@code #} lines are skipped, even inside a continued value); master.cf services with
 * their {@code -o name=value} and {@code -o { name = value }} overrides; and {@code $name},
 * {@code ${name}}, {@code $(name)}, {@code ${name?value}}, {@code ${name:value}} and
 * {@code ${name?{a}:{b}}} expanded as Postfix does, with Postfix's defaults for the parameters the
 * linter asks about.
 */
public final class PostfixConfig {

    /** A main.cf parameter: value with continuation lines joined by one space. */
    public record Param(String name, String value, SourceFile file, int line, int lastLine, int column) {}

    /** A {@code -o} override in master.cf. */
    public record Override(String name, String value, int line, int column, String raw) {}

    public record Service(String name, String type, String command, SourceFile file, int line, List<Override> overrides) {
        /** An smtpd that clients reach: inet, or pass (behind postscreen). */
        public boolean publicSmtpd() {
            return command.equals("smtpd") && (type.equals("inet") || type.equals("pass"));
        }
    }

    /** Postfix 3.7 defaults for what the checks read (stress-dependent ones at their normal value). */
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("disable_vrfy_command", "no"),
            Map.entry("smtpd_discard_ehlo_keywords", ""),
            Map.entry("smtpd_helo_required", "no"),
            Map.entry("smtpd_soft_error_limit", "10"),
            Map.entry("smtpd_hard_error_limit", "20"),
            Map.entry("smtpd_error_sleep_time", "1s"),
            Map.entry("smtpd_junk_command_limit", "100"),
            Map.entry("smtpd_client_recipient_rate_limit", "0"),
            Map.entry("show_user_unknown_table_name", "yes"),
            Map.entry("smtpd_reject_unlisted_recipient", "yes"),
            Map.entry("inet_interfaces", "all"),
            Map.entry("mail_name", "Postfix"),
            Map.entry("stress", ""));

    final SourceFile main;
    final SourceFile master;
    final Map<String, Param> params = new LinkedHashMap<>();
    final List<Service> services = new ArrayList<>();

    private PostfixConfig(SourceFile main, SourceFile master) {
        this.main = main;
        this.master = master;
    }

    public static PostfixConfig parse(SourceFile main, SourceFile master) throws LintException {
        PostfixConfig c = new PostfixConfig(main, master);
        if (main != null) {
            c.parseMain(main);
        }
        if (master != null) {
            c.parseMaster(master);
        }
        return c;
    }

    /** Logical lines: {first line, last line, joined text}. */
    record Logical(int first, int last, String text) {}

    static List<Logical> logical(SourceFile f, boolean master) throws LintException {
        List<Logical> out = new ArrayList<>();
        StringBuilder cur = null;
        int first = 0;
        int last = 0;
        for (SourceFile.Line l : f.lines()) {
            String t = l.text();
            String stripped = t.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(t.charAt(0))) {
                if (cur == null) {
                    throw new LintException(f.display(), l.number(),
                            "line starts with white space but there is no " + (master ? "service" : "parameter") + " to continue");
                }
                cur.append(' ').append(stripped);
                last = l.number();
                continue;
            }
            if (cur != null) {
                out.add(new Logical(first, last, cur.toString()));
            }
            cur = new StringBuilder(t.stripTrailing());
            first = l.number();
            last = l.number();
        }
        if (cur != null) {
            out.add(new Logical(first, last, cur.toString()));
        }
        return out;
    }

    private void parseMain(SourceFile f) throws LintException {
        for (Logical l : logical(f, false)) {
            int eq = l.text().indexOf('=');
            if (eq < 0) {
                throw new LintException(f.display(), l.first(), "missing '=' after parameter name \""
                        + SendmailCfParser.shorten(l.text()) + "\"");
            }
            String name = l.text().substring(0, eq).strip();
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new LintException(f.display(), l.first(), "bad parameter name \"" + SendmailCfParser.shorten(name) + "\"");
            }
            String value = l.text().substring(eq + 1).strip();
            int col = eq + 2;
            String firstLine = f.line(l.first()).text();
            while (col <= firstLine.length() && col > 0 && col - 1 < firstLine.length()
                    && Character.isWhitespace(firstLine.charAt(col - 1))) {
                col++;
            }
            params.put(name, new Param(name, value, f, l.first(), l.last(), col));
        }
    }

    private void parseMaster(SourceFile f) throws LintException {
        for (Logical l : logical(f, true)) {
            List<String> fields = tokens(l.text(), f, l.first());
            if (fields.size() < 8) {
                throw new LintException(f.display(), l.first(), "master.cf entry needs 8 fields (service type private "
                        + "unpriv chroot wakeup maxproc command), found " + fields.size());
            }
            String type = fields.get(1);
            if (!List.of("inet", "unix", "unix-dgram", "fifo", "pass").contains(type)) {
                throw new LintException(f.display(), l.first(), "unknown service type \"" + type + "\"");
            }
            List<Override> overrides = new ArrayList<>();
            for (int i = 8; i < fields.size(); i++) {
                String a = fields.get(i);
                String spec = null;
                if (a.equals("-o") && i + 1 < fields.size()) {
                    spec = fields.get(++i);
                } else if (a.startsWith("-o") && a.length() > 2) {
                    spec = a.substring(2);
                }
                if (spec == null) {
                    continue;
                }
                if (spec.startsWith("{") && spec.endsWith("}")) {
                    spec = spec.substring(1, spec.length() - 1).strip();
                }
                int eq = spec.indexOf('=');
                if (eq <= 0) {
                    throw new LintException(f.display(), l.first(), "-o needs name=value, found \"" + spec + "\"");
                }
                String name = spec.substring(0, eq).strip();
                String value = spec.substring(eq + 1).strip();
                int line = l.first();
                int column = 1;
                for (int n = l.first(); n <= l.last(); n++) {
                    int at = f.line(n).text().indexOf(name);
                    if (at >= 0 && f.line(n).text().contains("=")) {
                        line = n;
                        column = at + 1;
                        break;
                    }
                }
                overrides.add(new Override(name, value, line, column, spec));
            }
            String command = fields.get(7);
            int slash = command.lastIndexOf('/');
            services.add(new Service(fields.get(0), type, slash >= 0 ? command.substring(slash + 1) : command,
                    f, l.first(), overrides));
        }
    }

    /** Splits on white space, keeping {@code { ... }} groups (Postfix 3.0 syntax) as one token. */
    static List<String> tokens(String s, SourceFile f, int line) throws LintException {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            if (c == '{') {
                int depth = 0;
                while (i < s.length()) {
                    char d = s.charAt(i++);
                    if (d == '{') {
                        depth++;
                    } else if (d == '}' && --depth == 0) {
                        break;
                    }
                }
                if (depth != 0) {
                    throw new LintException(f.display(), line, "unbalanced '{' in master.cf entry");
                }
            } else {
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    public Map<String, Param> params() {
        return Map.copyOf(params);
    }

    public List<Service> services() {
        return List.copyOf(services);
    }

    /** The raw value of a parameter in main.cf, or Postfix's default, or "" when unknown. */
    String raw(String name) {
        Param p = params.get(name);
        if (p != null) {
            return p.value();
        }
        return DEFAULTS.getOrDefault(name, "");
    }

    /**
     * A $-expansion Postfix would refuse ("unreasonable macro call nesting": deeper than 100), or one
     * too large or too long to evaluate: a main.cf whose values reference each other twice per level
     * doubles at every level (found by fuzzing: 2^33 characters). Unchecked, because the checkers
     * read values everywhere; {@link Linter} turns it into a {@link LintException}.
     */
    public static final class ExpansionException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String name;

        ExpansionException(String name, String message) {
            super(message);
            this.name = name;
        }

        /** The parameter whose value could not be expanded. */
        public String name() {
            return name;
        }
    }

    static final int MAX_DEPTH = 100;
    static final int MAX_REFERENCES = 100_000;
    static final int MAX_CHARS = 1 << 20;

    /** Work done by one top-level expansion. */
    private static final class Budget {
        int references;
        long chars;
    }

    /** A parameter's value with $references expanded, with a service's overrides in force. */
    public String value(String name, Service service) {
        Budget b = new Budget();
        try {
            return expand(rawFor(name, service), service, 0, b);
        } catch (ExpansionException e) {
            throw new ExpansionException(name, e.getMessage());
        }
    }

    String rawFor(String name, Service service) {
        if (service != null) {
            for (Override o : service.overrides()) {
                if (o.name().equals(name)) {
                    return o.value();
                }
            }
        }
        return raw(name);
    }

    /** Postfix's $-expansion; unknown names expand to "". */
    String expand(String s, Service service, int depth) {
        return expand(s, service, depth, new Budget());
    }

    private String expand(String s, Service service, int depth, Budget budget) {
        if (depth > MAX_DEPTH) {
            throw new ExpansionException(null, "unreasonable macro call nesting (a $-reference loop?)");
        }
        if (++budget.references > MAX_REFERENCES || (budget.chars += s.length()) > MAX_CHARS) {
            throw new ExpansionException(null, "$-expansion grows too large (references that double at every level?)");
        }
        if (s.indexOf('$') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$' || i + 1 >= s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char n = s.charAt(i + 1);
            if (n == '$') {
                out.append('$');
                i += 2;
            } else if (n == '{' || n == '(') {
                char close = n == '{' ? '}' : ')';
                int end = matching(s, i + 1, n, close);
                if (end < 0) {
                    out.append(s.substring(i));
                    break;
                }
                String inner = s.substring(i + 2, end);
                out.append(conditional(inner, service, depth, budget));
                i = end + 1;
            } else if (Character.isLetterOrDigit(n) || n == '_') {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.append(expand(rawFor(s.substring(i + 1, j), service), service, depth + 1, budget));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String conditional(String inner, Service service, int depth, Budget budget) {
        int k = 0;
        while (k < inner.length() && (Character.isLetterOrDigit(inner.charAt(k)) || inner.charAt(k) == '_')) {
            k++;
        }
        String name = inner.substring(0, k);
        String value = expand(rawFor(name, service), service, depth + 1, budget);
        if (k == inner.length()) {
            return value;
        }
        char op = inner.charAt(k);
        String rest = inner.substring(k + 1);
        String ifSet = rest;
        String ifUnset = "";
        if (op == '?' && rest.startsWith("{")) {
            int e1 = matching(rest, 0, '{', '}');
            if (e1 > 0) {
                ifSet = rest.substring(1, e1);
                String after = rest.substring(e1 + 1).strip();
                if (after.startsWith(":")) {
                    after = after.substring(1).strip();
                    if (after.startsWith("{") && after.endsWith("}")) {
                        ifUnset = after.substring(1, after.length() - 1);
                    }
                }
                return expand(value.isEmpty() ? ifUnset : ifSet, service, depth + 1, budget);
            }
        }
        if (op == '?') {
            return value.isEmpty() ? "" : expand(rest, service, depth + 1, budget);
        }
        if (op == ':') {
            return value.isEmpty() ? expand(rest, service, depth + 1, budget) : "";
        }
        return value;
    }

    private static int matching(String s, int open, char o, char c) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == o) {
                depth++;
            } else if (s.charAt(i) == c && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Postfix booleans: yes/no, case-insensitive. */
    static boolean isYes(String v) {
        return v.strip().toLowerCase(Locale.ROOT).equals("yes");
    }
}
