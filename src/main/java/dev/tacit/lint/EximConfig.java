package dev.tacit.lint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exim's runtime configuration as Exim 4 reads it: {@code .include} and {@code .include_if_exists}
 * (relative names resolve against the including file's folder), macros ({@code NAME = value}, name
 * starting with an upper-case letter, substituted in later lines), {@code .ifdef}/{@code .ifndef}/
 * {@code .elifdef}/{@code .else}/{@code .endif} on macros, backslash continuation lines, {@code #}
 * comments, and the sections after {@code begin}: main options, ACLs (name, then statements that
 * start with a verb), routers (name, then options). Every item keeps its file and line.
 */
public final class EximConfig {

    /** One logical line after macro substitution, with where it started. */
    public record Item(String text, SourceFile file, int line) {}

    public record Option(String name, String value, Item at) {}

    /** An ACL statement: verb and its conditions/modifiers in order. */
    public record Statement(String verb, List<Option> conditions, Item at) {}

    public record Acl(String name, List<Statement> statements, Item at) {}

    public record Router(String name, Map<String, Option> options, Item at) {}

    private static final Pattern MACRO = Pattern.compile("([A-Z][A-Za-z0-9_]*)\\s*=(.*)");
    private static final List<String> VERBS = List.of("accept", "defer", "deny", "discard", "drop", "require", "warn");

    final Map<String, Option> main = new LinkedHashMap<>();
    final List<Option> mainList = new ArrayList<>();
    final Map<String, Acl> acls = new LinkedHashMap<>();
    final List<Router> routers = new ArrayList<>();
    /** Lines "end" of an Exim 3 configuration (sections separated by "end"). */
    final List<Item> exim3Ends = new ArrayList<>();
    final SourceFile root;
    private final Map<String, String> macros = new LinkedHashMap<>();
    private final List<SourceFile> files = new ArrayList<>();

    private EximConfig(SourceFile root) {
        this.root = root;
    }

    public static EximConfig parse(SourceFile f) throws LintException {
        EximConfig c = new EximConfig(f);
        List<Item> items = new ArrayList<>();
        c.read(f, items, 0);
        c.sections(items);
        return c;
    }

    public List<SourceFile> files() {
        return List.copyOf(files);
    }

    private void read(SourceFile f, List<Item> out, int depth) throws LintException {
        if (depth > 20) {
            throw new LintException(f.display(), 0, ".include nested too deeply (loop?)");
        }
        files.add(f);
        Deque<boolean[]> conds = new ArrayDeque<>(); // {active, anyBranchTaken}
        StringBuilder cont = null;
        int contLine = 0;
        for (SourceFile.Line l : f.lines()) {
            String t = l.text();
            String st = t.strip();
            if (cont == null && st.startsWith(".")) {
                String[] w = st.split("\\s+", 2);
                String arg = w.length > 1 ? w[1].strip() : "";
                boolean active = conds.stream().allMatch(b -> b[0]);
                switch (w[0]) {
                    case ".ifdef", ".ifndef" -> {
                        boolean v = defined(arg) == w[0].equals(".ifdef");
                        conds.push(new boolean[] {v, v});
                        continue;
                    }
                    case ".elifdef", ".elifndef" -> {
                        if (conds.isEmpty()) {
                            throw new LintException(f.display(), l.number(), w[0] + " without .ifdef");
                        }
                        boolean[] top = conds.peek();
                        boolean v = !top[1] && (defined(arg) == w[0].equals(".elifdef"));
                        top[0] = v;
                        top[1] |= v;
                        continue;
                    }
                    case ".else" -> {
                        if (conds.isEmpty()) {
                            throw new LintException(f.display(), l.number(), ".else without .ifdef");
                        }
                        boolean[] top = conds.peek();
                        top[0] = !top[1];
                        top[1] = true;
                        continue;
                    }
                    case ".endif" -> {
                        if (conds.isEmpty()) {
                            throw new LintException(f.display(), l.number(), ".endif without .ifdef");
                        }
                        conds.pop();
                        continue;
                    }
                    case ".include", ".include_if_exists" -> {
                        if (!active) {
                            continue;
                        }
                        Path p = resolve(f, substitute(arg));
                        if (!Files.isRegularFile(p)) {
                            if (w[0].equals(".include")) {
                                throw new LintException(f.display(), l.number(), ".include file not found: " + arg);
                            }
                            continue;
                        }
                        read(SourceFile.read(p, p.toString()), out, depth + 1);
                        continue;
                    }
                    default -> {
                        if (active) {
                            throw new LintException(f.display(), l.number(), "unknown directive " + w[0]);
                        }
                        continue;
                    }
                }
            }
            if (!conds.stream().allMatch(b -> b[0])) {
                continue;
            }
            if (cont == null && (st.isEmpty() || st.startsWith("#"))) {
                continue;
            }
            if (cont != null) {
                cont.append(st);
            } else {
                cont = new StringBuilder(t.stripTrailing());
                contLine = l.number();
            }
            if (cont.length() > 0 && cont.charAt(cont.length() - 1) == '\\') {
                cont.setLength(cont.length() - 1);
                continue;
            }
            String logical = cont.toString();
            cont = null;
            Matcher m = MACRO.matcher(logical.strip());
            if (m.matches() && !Character.isWhitespace(logical.charAt(0))) {
                macros.putIfAbsent(m.group(1), substitute(m.group(2).strip()));
                continue;
            }
            out.add(new Item(substitute(logical), f, contLine));
        }
        if (!conds.isEmpty()) {
            throw new LintException(f.display(), f.lines().size(), "missing .endif");
        }
    }

    private boolean defined(String name) {
        return macros.containsKey(name);
    }

    private static Path resolve(SourceFile from, String name) {
        Path p = Path.of(name);
        if (p.isAbsolute()) {
            if (Files.exists(p)) {
                return p;
            }
            Path parent = from.path().toAbsolutePath().getParent();
            return parent == null ? p : parent.resolve(p.getFileName().toString());
        }
        Path parent = from.path().toAbsolutePath().getParent();
        return parent == null ? p : parent.resolve(p);
    }

    /** Replaces macro names (longest first, at word starts) with their values. */
    private String substitute(String s) {
        if (macros.isEmpty()) {
            return s;
        }
        String out = s;
        for (int pass = 0; pass < 10; pass++) {
            String before = out;
            for (var e : macros.entrySet()) {
                out = out.replaceAll("(?<![A-Za-z0-9_])" + Pattern.quote(e.getKey()) + "(?![A-Za-z0-9_])",
                        Matcher.quoteReplacement(e.getValue()));
            }
            if (out.equals(before)) {
                break;
            }
        }
        return out;
    }

    private void sections(List<Item> items) throws LintException {
        String section = "main";
        Acl acl = null;
        Statement stmt = null;
        Router router = null;
        for (Item it : items) {
            String t = it.text().strip();
            if (t.matches("begin\\s+\\S+")) {
                section = t.split("\\s+")[1];
                acl = null;
                stmt = null;
                router = null;
                continue;
            }
            if (t.equals("end")) {
                exim3Ends.add(it);
                section = "exim3";
                continue;
            }
            switch (section) {
                case "main" -> {
                    Option o = option(t, it);
                    if (o != null) {
                        main.put(o.name(), o);
                        mainList.add(o);
                    }
                }
                case "acl" -> {
                    if (t.matches("[A-Za-z0-9_.-]+\\s*:")) {
                        String name = t.substring(0, t.length() - 1).strip();
                        acl = new Acl(name, new ArrayList<>(), it);
                        acls.put(name, acl);
                        stmt = null;
                        continue;
                    }
                    if (acl == null) {
                        throw new LintException(it.file().display(), it.line(), "ACL statement outside an ACL: " + t);
                    }
                    String[] w = t.split("\\s+", 2);
                    if (VERBS.contains(w[0])) {
                        stmt = new Statement(w[0], new ArrayList<>(), it);
                        acl.statements().add(stmt);
                        if (w.length > 1) {
                            conditions(stmt, w[1], it);
                        }
                    } else if (stmt != null) {
                        conditions(stmt, t, it);
                    } else {
                        throw new LintException(it.file().display(), it.line(), "ACL " + acl.name()
                                + ": expected a verb (accept, deny, require, ...), found \"" + SendmailCfParser.shorten(t) + "\"");
                    }
                }
                case "routers" -> {
                    if (t.matches("[A-Za-z0-9_.-]+\\s*:.*") && !t.contains("=")) {
                        router = new Router(t.substring(0, t.indexOf(':')).strip(), new LinkedHashMap<>(), it);
                        routers.add(router);
                        continue;
                    }
                    if (router != null) {
                        Option o = option(t, it);
                        if (o != null) {
                            router.options().put(o.name(), o);
                        }
                    }
                }
                default -> { }
            }
        }
    }

    /** {@code name = value}, or a boolean {@code name} / {@code no_name} / {@code not_name}; named lists too. */
    private static Option option(String t, Item it) {
        String s = t;
        for (String list : List.of("hostlist ", "domainlist ", "addresslist ", "localpartlist ")) {
            if (s.startsWith(list)) {
                s = s.substring(list.length()).strip();
                int eq = s.indexOf('=');
                return eq < 0 ? null : new Option("+" + s.substring(0, eq).strip(), s.substring(eq + 1).strip(), it);
            }
        }
        int eq = s.indexOf('=');
        if (eq < 0) {
            String name = s.strip();
            if (name.startsWith("no_")) {
                return new Option(name.substring(3), "false", it);
            }
            if (name.startsWith("not_")) {
                return new Option(name.substring(4), "false", it);
            }
            return new Option(name, "true", it);
        }
        return new Option(s.substring(0, eq).strip(), s.substring(eq + 1).strip(), it);
    }

    /** A condition line such as {@code hosts = +relay_from_hosts} or {@code !authenticated = *}. */
    private static void conditions(Statement stmt, String text, Item it) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            stmt.conditions().add(new Option(text.strip(), "", it));
        } else {
            stmt.conditions().add(new Option(text.substring(0, eq).strip(), text.substring(eq + 1).strip(), it));
        }
    }

    /** Reads an included file; the caller already checked it exists. */
    static String readText(Path p) throws IOException {
        return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
