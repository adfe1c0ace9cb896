package dev.tacit.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the configuration lines both rules files and sendmail.cf share (sendmail-privacy.md 13):
 * folding, comments, {@code S}, {@code R}, {@code D}, {@code C}, {@code F} and {@code V} lines, with
 * sendmail's error texts. Other line types go to a handler. Errors are collected as
 * {@code file:line: reason}; the rule is kept as sendmail keeps it, so a lenient caller can carry on.
 */
final class ConfigReader {

    /** MAXMATCH: wildcards in one pattern. */
    static final int MAX_WILDCARDS = 9;
    /** MAX_MAP_ARGS. */
    static final int MAX_MAP_ARGS = 10;
    /** Largest class file read by an {@code F} line. */
    static final long MAX_CLASS_FILE = 4L << 20;

    /** A folded line and the number of its last physical line (what sendmail reports). */
    record Line(String text, int number) {}

    /** Handles a line type this reader does not know; returns false when it is not known there either. */
    interface OtherLines {
        boolean handle(String line, int number);
    }

    final RuleSets.Builder b = new RuleSets.Builder();
    final String file;
    final Path baseDir;
    final List<String> errors = new ArrayList<>();
    int configLevel = 10;
    int currentSet = -1;
    boolean sawRule;
    /** Macros expanded while reading each rule set's R lines (for sendmail.cf import). */
    final java.util.Map<Integer, Set<String>> macrosUsed = new java.util.HashMap<>();
    /** Line of each set's first S line. */
    final java.util.Map<Integer, Integer> setLine = new java.util.HashMap<>();

    ConfigReader(String file, Path baseDir) {
        this.file = file;
        this.baseDir = baseDir;
    }

    /** Records an error; a folded line's newlines are shown as \\n so that every message is one line. */
    void error(int line, String message) {
        errors.add(file + ":" + line + ": " + message.replace("\n", "\\n").replace("\r", "\\r"));
    }

    void warning(int line, String message) {
        b.warnings.add(file + ":" + line + ": warning: " + message);
    }

    /** sendmail's fgetfolded: a line starting with a blank continues the previous one; CRLF is LF. */
    static List<Line> fold(String text) {
        List<Line> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int lineNo = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i++);
            if (c == '\r' && i < n && text.charAt(i) == '\n') {
                c = '\n';
                i++;
            }
            cur.append(c);
            if (c == '\n') {
                lineNo++;
                char peek = i < n ? text.charAt(i) : '\0';
                if (peek != ' ' && peek != '\t') {
                    cur.setLength(cur.length() - 1);
                    out.add(new Line(cur.toString(), lineNo));
                    cur.setLength(0);
                }
            }
        }
        if (!cur.isEmpty()) {
            lineNo++;
            if (cur.charAt(cur.length() - 1) == '\n') {
                cur.setLength(cur.length() - 1);
            }
            out.add(new Line(cur.toString(), lineNo));
        }
        return out;
    }

    void read(String text, OtherLines other) {
        for (Line l : fold(text)) {
            process(l, other);
        }
    }

    void process(Line l, OtherLines other) {
        String raw = l.text();
        if (raw.isEmpty() || raw.charAt(0) == '#') {
            return;
        }
        String s = ConfigText.stripComment(raw);
        if (s.isEmpty()) {
            return;
        }
        switch (s.charAt(0)) {
            case 'R' -> rule(s, l.number());
            case 'S' -> ruleset(s.substring(1), l.number());
            case 'D' -> define(s, l.number());
            case 'C' -> classLine(s, l.number());
            case 'F' -> fileClass(s, l.number());
            case 'V' -> version(s, l.number());
            default -> {
                if (!other.handle(s, l.number())) {
                    error(l.number(), "unknown configuration line \"" + s + "\"");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ rules

    private void rule(String s, int line) {
        if (currentSet < 0) {
            error(line, "missing valid ruleset for \"" + s + "\"");
            return;
        }
        int tab = s.indexOf('\t', 1);
        if (tab < 0) {
            error(line, "invalid rewrite line \"" + s + "\" (tab expected)");
            return;
        }
        sawRule = true;
        int p = tab;
        while (p < s.length() && s.charAt(p) == '\t') {
            p++;
        }
        int q = s.indexOf('\t', p);
        String lhsRaw = s.substring(1, tab);
        String rhsRaw = s.substring(p, q < 0 ? s.length() : q);

        List<Token> lhs = side(lhsRaw, line);
        int wildcards = 0;
        if (lhs == null) {
            error(line, "R line: null LHS");
            lhs = List.of();
        } else {
            for (Token t : lhs) {
                if (t.op().isWildcard()) {
                    wildcards++;
                }
                String botch = switch (t.op()) {
                    case REPLACE -> "$1-$9";
                    case USER -> "$:";
                    case CALL -> "$>";
                    case COND_IF -> "$?";
                    case COND_FI -> "$.";
                    case HOST_BEGIN -> "$[";
                    case HOST_END -> "$]";
                    case LOOKUP_BEGIN -> "$(";
                    case LOOKUP_END -> "$)";
                    default -> null;
                };
                if (botch != null) {
                    error(line, "Inappropriate use of " + botch + " on LHS");
                }
            }
        }
        if (wildcards > MAX_WILDCARDS) {
            error(line, "R line: too many wildcards");
            lhs = List.of();
        }
        List<Token> rhs = side(rhsRaw, line);
        if (rhs == null) {
            error(line, "R line: null RHS");
            rhs = List.of();
        } else {
            boolean inMap = false;
            int args = 0;
            Token.Op endToken = null;
            for (Token t : rhs) {
                String botch = null;
                switch (t.op()) {
                    case REPLACE -> {
                        char d = t.text().charAt(0);
                        if (d <= '0' || d > '0' + wildcards) {
                            error(line, "replacement $" + d + " out of bounds");
                        }
                    }
                    case ZERO_OR_MORE -> botch = "$*";
                    case ONE_OR_MORE -> botch = "$+";
                    case EXACTLY_ONE -> botch = "$-";
                    case IN_CLASS -> botch = "$=";
                    case NOT_IN_CLASS -> botch = "$~";
                    case HOST -> {
                        if (inMap && ++args >= MAX_MAP_ARGS) {
                            error(line, "too many arguments for map lookup");
                        }
                    }
                    case HOST_BEGIN, LOOKUP_BEGIN -> {
                        endToken = t.is(Token.Op.HOST_BEGIN) ? Token.Op.HOST_END : Token.Op.LOOKUP_END;
                        if (inMap) {
                            error(line, "cannot nest map lookups");
                        }
                        inMap = true;
                        args = 0;
                    }
                    case HOST_END, LOOKUP_END -> {
                        if (t.op() == endToken) {
                            inMap = false;
                            endToken = null;
                        }
                    }
                    default -> { }
                }
                if (botch != null) {
                    error(line, "Inappropriate use of " + botch + " on RHS");
                }
            }
            if (inMap) {
                error(line, "missing map closing token");
            }
        }
        b.addRule(currentSet, new Rule(lhs, rhs, wildcards, file, line));
    }

    /** Expands and tokenizes one side of a rule; null when it has no tokens (sendmail's "null" side). */
    private List<Token> side(String raw, int line) {
        List<String> names = new ArrayList<>();
        String text;
        try {
            Set<String> used = macrosUsed.computeIfAbsent(currentSet, k -> new HashSet<>());
            text = ConfigText.expand(raw, name -> {
                used.add(name);
                return b.macros.get(name);
            }, names);
        } catch (ConfigText.TextException e) {
            error(line, e.getMessage());
            return null;
        }
        Tokenizer.Table table = configLevel >= 9 ? Tokenizer.Table.NO_COMMENTS : Tokenizer.Table.INTERNAL;
        Tokenizer.Scan scan = b.tokenizer.scan(text, 0, '\t', table, true, Tokenizer.CONFIG_BUFFER, names);
        if (scan instanceof Tokenizer.Scan.Failed f) {
            error(line, f.fatal().text());
            return null;
        }
        List<Token> tokens = ((Tokenizer.Scan.Tokens) scan).tokens();
        return tokens.isEmpty() ? null : tokens;
    }

    // ------------------------------------------------------------------------------- rule sets

    /** An {@code S} line: start (or continue) a rule set, giving named ones their numbers. */
    private void ruleset(String rawSpec, int line) {
        String spec;
        try {
            List<String> names = new ArrayList<>();
            spec = Tokenizer.plainText(ConfigText.expand(rawSpec, b.macros::get, names), names);
        } catch (ConfigText.TextException e) {
            error(line, e.getMessage());
            currentSet = -1;
            return;
        }
        int set = enter(spec, line);
        currentSet = set;
        if (set < 0) {
            return;
        }
        if (b.rules[set] != null && !b.rules[set].isEmpty()) {
            warning(line, "Ruleset " + rawSpec.strip() + " has multiple definitions");
        }
        setLine.putIfAbsent(set, line);
        b.declaredNumber[set] = true;
        String name = b.names[set] != null ? b.names[set] : Integer.toString(set);
        if (!b.declared.contains(name)) {
            b.declared.add(name);
        }
    }

    private int enter(String spec, int line) {
        int i = 0;
        while (i < spec.length() && Tokenizer.isSpace(spec.charAt(i))) {
            i++;
        }
        if (i >= spec.length() || spec.charAt(i) >= 128) {
            error(line, "invalid ruleset name: \"" + first20(spec.substring(Math.min(i, spec.length()))) + "\"");
            return -1;
        }
        char c = spec.charAt(i);
        int max = RuleSets.MAX_SETS / 2;
        if (c >= '0' && c <= '9') {
            long n = number(spec, i);
            if (n >= max) {
                error(line, "bad ruleset " + n + " (" + max + " max)");
                return -1;
            }
            return (int) n;
        }
        int j = i;
        while (j < spec.length() && RuleSets.isNameChar(spec.charAt(j))) {
            j++;
        }
        if (j == i || !RuleSets.isAsciiLetter(c)) {
            error(line, "invalid ruleset name: \"" + first20(spec.substring(i)) + "\"");
            return -1;
        }
        String name = spec.substring(i, j);
        int k = j;
        while (k < spec.length() && Tokenizer.isSpace(spec.charAt(k))) {
            k++;
        }
        Integer existing = b.byName.get(name);
        int set;
        if (k < spec.length() && spec.charAt(k) == '=') {
            k++;
            while (k < spec.length() && Tokenizer.isSpace(spec.charAt(k))) {
                k++;
            }
            if (k >= spec.length() || spec.charAt(k) < '0' || spec.charAt(k) > '9') {
                error(line, "bad ruleset definition \"" + spec.substring(i) + "\" (number required after `=')");
                return -1;
            }
            long n = number(spec, k);
            if (n >= max) {
                error(line, "bad ruleset number " + n + " in \"" + name + "\" (" + max + " max)");
                return -1;
            }
            set = (int) n;
        } else if (existing != null) {
            set = existing;
        } else {
            set = --b.nextNamed;
            if (set < max) {
                error(line, name + ": too many named rulesets (" + max + " max)");
                return -1;
            }
        }
        if (existing != null && set != existing) {
            error(line, name + ": ruleset changed value (old " + existing + ", new " + set + ")");
            set = existing;
        } else {
            b.byName.put(name, set);
        }
        b.names[set] = name;
        return set;
    }

    private static long number(String s, int i) {
        long n = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && n < Integer.MAX_VALUE) {
            n = n * 10 + (s.charAt(i++) - '0');
        }
        return n;
    }

    private static String first20(String s) {
        return s.length() > 20 ? s.substring(0, 20) : s;
    }

    // --------------------------------------------------------------------- macros and classes

    /** Parses the macro or class name at {@code i}; returns {name, index after it}, or null. */
    String[] name(String s, int i, int line) {
        if (i >= s.length()) {
            error(line, "Name required for macro/class");
            return null;
        }
        if (s.charAt(i) == '{') {
            int close = s.indexOf('}', i);
            if (close < 0) {
                error(line, "Unbalanced { on " + s.substring(i));
                return null;
            }
            if (close == i + 1) {
                error(line, "Name required for macro/class");
                return null;
            }
            return new String[] {s.substring(i + 1, close), Integer.toString(close + 1)};
        }
        return new String[] {String.valueOf(s.charAt(i)), Integer.toString(i + 1)};
    }

    private void define(String s, int line) {
        String[] n = name(s, 1, line);
        if (n == null) {
            return;
        }
        b.macros.put(n[0], unquote(s.substring(Integer.parseInt(n[1]))));
    }

    /** sendmail's munchstring: double quotes are removed, a backslash keeps the next character. */
    static String unquote(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                sb.append(v.charAt(++i));
            } else if (c != '"') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void classLine(String s, int line) {
        String[] n = name(s, 1, line);
        if (n == null) {
            return;
        }
        String words;
        try {
            List<String> names = new ArrayList<>();
            words = Tokenizer.plainText(ConfigText.expand(s.substring(Integer.parseInt(n[1])), b.macros::get, names),
                    names);
        } catch (ConfigText.TextException e) {
            error(line, e.getMessage());
            return;
        }
        for (String w : words.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                b.addClassWord(n[0], w);
            }
        }
        if (!b.classes.containsKey(n[0])) {
            b.classes.put(n[0], new java.util.LinkedHashSet<>());
        }
    }

    /** {@code FX [-o] file [format]}: class words from a file, relative to the configuration's folder. */
    private void fileClass(String s, int line) {
        String[] n = name(s, 1, line);
        if (n == null) {
            return;
        }
        String rest = s.substring(Integer.parseInt(n[1])).strip();
        boolean optional = false;
        if (rest.startsWith("-o")) {
            optional = true;
            int sp = indexOfSpace(rest);
            rest = sp < 0 ? "" : rest.substring(sp).strip();
        }
        if (rest.isEmpty()) {
            error(line, "fileclass: missing file name");
            return;
        }
        if (rest.startsWith("|")) {
            error(line, "fileclass: F{" + n[0] + "}: program classes are not supported");
            return;
        }
        int at = rest.indexOf('@');
        if (!rest.startsWith("/") && at >= 0) {
            String q = rest.substring(at + 1);
            if (q.equals("LDAP") || (!q.startsWith(":") && q.contains(":"))) {
                error(line, "fileclass: F{" + n[0] + "}: map classes are not supported");
                return;
            }
        }
        String fileName;
        String fmt;
        if (rest.startsWith("\"")) {
            int close = rest.indexOf('"', 1);
            if (close < 0) {
                error(line, "illegal filename '" + rest + "'");
                return;
            }
            fileName = rest.substring(1, close);
            fmt = rest.substring(close + 1).strip();
        } else {
            int sp = indexOfSpace(rest);
            fileName = sp < 0 ? rest : rest.substring(0, sp);
            fmt = sp < 0 ? "" : rest.substring(sp).strip();
        }
        if (fmt.isEmpty()) {
            fmt = "%s";
        }
        if (!fmt.equals("%s") && !fmt.equals("%[^#]") && !fmt.equals("%[^\\n]")) {
            error(line, "fileclass: F{" + n[0] + "}: format \"" + fmt + "\" is not supported (only %s and %[^#])");
            return;
        }
        String text;
        try {
            Path p = baseDir == null ? Path.of(fileName) : baseDir.resolve(fileName);
            if (Files.size(p) > MAX_CLASS_FILE) {
                error(line, "fileclass: '" + fileName + "' is larger than " + MAX_CLASS_FILE + " bytes");
                return;
            }
            text = Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            if (!optional) {
                error(line, "fileclass: cannot open '" + fileName + "': " + reason(e));
            }
            return;
        }
        for (String l : text.split("\n", -1)) {
            if (l.startsWith("#")) {
                continue;
            }
            String words;
            if (fmt.equals("%s")) {
                String t = l.strip();
                int sp = indexOfSpace(t);
                words = sp < 0 ? t : t.substring(0, sp);
            } else if (fmt.equals("%[^#]")) {
                int h = l.indexOf('#');
                words = h < 0 ? l : l.substring(0, h);
            } else {
                words = l;
            }
            for (String w : words.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    b.addClassWord(n[0], w);
                }
            }
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Tokenizer.isSpace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private void version(String s, int line) {
        String v = s.substring(1).strip();
        if (v.isEmpty() || v.charAt(0) < '0' || v.charAt(0) > '9') {
            error(line, "invalid argument to V line: \"" + first20(s.substring(1)) + "\"");
            return;
        }
        configLevel = (int) Math.min(number(v, 0), 99);
    }

    // ------------------------------------------------------------------------------- finishing

    /** Warns about {@code $>name} calls to sets that do not exist (sendmail finds out only at run time). */
    void checkCalls(RuleSets sets) {
        for (int set = 0; set < RuleSets.MAX_SETS; set++) {
            for (Rule r : sets.rules(set)) {
                List<Token> rhs = r.rhs();
                for (int i = 0; i + 1 < rhs.size(); i++) {
                    if (rhs.get(i).is(Token.Op.CALL) && rhs.get(i + 1).isLiteral()) {
                        String target = Rewriter.stripQuotes(rhs.get(i + 1).text());
                        if (sets.find(target) < 0) {
                            b.warnings.add(r.file() + ":" + r.line() + ": warning: ruleset " + target
                                    + " is not defined; the call answers 554 5.3.5 Unknown ruleset");
                        }
                    }
                }
            }
        }
    }
}
