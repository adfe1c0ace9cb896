package dev.tacit.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Imports what Tacit can use from an existing sendmail.cf, so a site can move its privacy settings
 * unchanged: {@code O PrivacyOptions=} (and the old {@code Op} form; repeated options accumulate, as
 * in sendmail), {@code O LogLevel=} ({@code OL}), the rule sets {@code check_vrfy} and
 * {@code check_expn} with every set they call, directly or not, and the {@code D} macros and
 * {@code C}/{@code F} classes those sets use ({@code O OperatorChars} and {@code O BlankSub} shape
 * how they are read). Everything else is reported, one line each, as {@code file:line: ignored: ...}
 * and skipped: other options, mailers, maps, headers, unrelated rule sets.
 *
 * <p>An error in a rule set that is imported makes the import fail ({@link RulesException}); an
 * error anywhere else is only reported, since that part is ignored anyway.
 *
 * <p>Config keys: used by {@code tacit serve --sendmail-cf FILE} (wired by the server).
 */
public final class SendmailCf {

    private SendmailCf() {}

    /** The rule sets an import starts from. */
    public static final List<String> POLICY_SETS = List.of("check_vrfy", "check_expn");

    /**
     * What was imported.
     *
     * @param privacyOptions the PrivacyOptions words, comma-joined in file order, or null if none
     * @param logLevel LogLevel, or null if the file sets none
     * @param ruleSets the check_* sets and those they call
     * @param warnings every line not used, and other remarks, as {@code file:line: ...}
     */
    public record Import(String privacyOptions, Integer logLevel, RuleSets ruleSets, List<String> warnings) {
        public Import {
            warnings = List.copyOf(warnings);
        }
    }

    /** Reads {@code cf}; {@code options} give what sendmail would know at start-up ($j, class w...). */
    public static Import read(Path cf, RuleFileParser.Options options) throws RulesException {
        String text;
        try {
            text = Files.readString(cf, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new RulesException(List.of(cf + ":0: cannot read: " + e.getMessage()));
        }
        return parse(text, cf.toString(), cf.toAbsolutePath().getParent(), options);
    }

    public static Import parse(String text, String name, Path baseDir, RuleFileParser.Options options)
            throws RulesException {
        ConfigReader r = RuleFileParser.newReader(name, baseDir, options);
        List<String> notes = new ArrayList<>();
        List<String> privacy = new ArrayList<>();
        Integer[] logLevel = {null};
        List<int[]> macroLines = new ArrayList<>();
        List<String> macroNames = new ArrayList<>();
        List<int[]> classLines = new ArrayList<>();
        List<String> classNames = new ArrayList<>();

        ConfigReader.OtherLines other = (line, number) -> {
            option(line, number, r, privacy, logLevel, notes);
            return true;
        };
        List<Integer> errorSets = new ArrayList<>();
        for (ConfigReader.Line l : ConfigReader.fold(text)) {
            String t = l.text();
            int before = r.errors.size();
            if (!t.isEmpty() && (t.charAt(0) == 'D' || t.charAt(0) == 'C' || t.charAt(0) == 'F')) {
                String[] n = r.name(ConfigText.stripComment(t), 1, l.number());
                if (n != null) {
                    (t.charAt(0) == 'D' ? macroNames : classNames).add(n[0]);
                    (t.charAt(0) == 'D' ? macroLines : classLines).add(new int[] {l.number()});
                }
            }
            r.process(l, other);
            for (int i = before; i < r.errors.size(); i++) {
                errorSets.add(t.startsWith("R") ? r.currentSet : -1);
            }
        }

        RuleSets all = r.b.build();
        // the sets reachable from check_vrfy/check_expn through $> calls
        Set<Integer> keep = new TreeSet<>();
        Deque<Integer> todo = new ArrayDeque<>();
        for (String s : POLICY_SETS) {
            if (all.isDefined(s)) {
                todo.add(all.find(s));
            }
        }
        if (todo.isEmpty()) {
            notes.add(name + ":0: warning: no check_vrfy or check_expn rule set; VRFY and EXPN are not checked");
        }
        Set<String> classesUsed = new HashSet<>();
        Set<String> macrosUsed = new HashSet<>();
        while (!todo.isEmpty()) {
            int n = todo.poll();
            if (!keep.add(n)) {
                continue;
            }
            macrosUsed.addAll(r.macrosUsed.getOrDefault(n, Set.of()));
            for (Rule rule : all.rules(n)) {
                for (Token t : rule.lhs()) {
                    collect(t, classesUsed, macrosUsed);
                }
                List<Token> rhs = rule.rhs();
                for (int i = 0; i < rhs.size(); i++) {
                    collect(rhs.get(i), classesUsed, macrosUsed);
                    if (rhs.get(i).is(Token.Op.CALL) && i + 1 < rhs.size()) {
                        int callee = all.find(Rewriter.stripQuotes(rhs.get(i + 1).render()));
                        if (callee >= 0 && !all.isBuiltinCanonify(callee)) {
                            todo.add(callee);
                        }
                    }
                }
            }
        }
        boolean usesBuiltin = all.isBuiltinCanonify(RuleSets.CANONIFY);
        if (keep.contains(RuleSets.CANONIFY) || usesBuiltin) {
            // canonify's own needs
            classesUsed.addAll(List.of("w", "P", "M"));
            macrosUsed.addAll(List.of("j", "m"));
        }

        List<String> fatal = new ArrayList<>();
        for (int i = 0; i < r.errors.size(); i++) {
            int set = errorSets.get(i);
            if (set >= 0 && keep.contains(set)) {
                fatal.add(r.errors.get(i));
            } else {
                notes.add(r.errors.get(i).replaceFirst(": ", ": ignored: "));
            }
        }
        if (!fatal.isEmpty()) {
            throw new RulesException(fatal);
        }

        // report what is left out, one line each
        for (int n = 0; n < RuleSets.MAX_SETS; n++) {
            if (!keep.contains(n) && (r.setLine.containsKey(n))) {
                notes.add(name + ":" + r.setLine.get(n) + ": ignored: ruleset " + all.name(n)
                        + " (not called from check_vrfy or check_expn), " + all.rules(n).size() + " rules");
            }
        }
        for (int i = 0; i < macroNames.size(); i++) {
            if (!macrosUsed.contains(macroNames.get(i))) {
                notes.add(name + ":" + macroLines.get(i)[0] + ": ignored: macro " + Token.macroName(macroNames.get(i))
                        + " (not used by the imported rule sets)");
            }
        }
        for (int i = 0; i < classNames.size(); i++) {
            if (!classesUsed.contains(classNames.get(i))) {
                notes.add(name + ":" + classLines.get(i)[0] + ": ignored: class " + Token.macroName(classNames.get(i))
                        + " (not used by the imported rule sets)");
            }
        }

        // the imported sets, keeping their names and numbers
        RuleSets.Builder kb = new RuleSets.Builder();
        for (int n : keep) {
            kb.names[n] = r.b.names[n];
            kb.declaredNumber[n] = r.b.declaredNumber[n];
            if (r.b.rules[n] != null) {
                kb.rules[n] = new ArrayList<>(r.b.rules[n]);
            }
            if (r.b.names[n] != null) {
                kb.byName.put(r.b.names[n], n);
                kb.declared.add(r.b.names[n]);
            }
        }
        r.b.byName.forEach((k, v) -> {
            if (keep.contains(v)) {
                kb.byName.put(k, v);
            }
        });
        r.b.classes.forEach((k, v) -> {
            if (classesUsed.contains(k)) {
                v.forEach(w -> kb.addClassWord(k, w));
            }
        });
        kb.macros.putAll(r.b.macros);
        kb.tokenizer = r.b.tokenizer;
        kb.spaceSub = r.b.spaceSub;
        kb.warnings.addAll(r.b.warnings);
        kb.declaredMaps.addAll(r.b.declaredMaps);
        RuleSets imported = kb.build();
        // report in file order
        notes.sort(java.util.Comparator.comparingInt(n -> lineOf(n, name)));
        String priv = privacy.isEmpty() ? null : String.join(",", privacy);
        return new Import(priv, logLevel[0], imported, notes);
    }

    private static int lineOf(String note, String file) {
        int start = file.length() + 1;
        int end = note.indexOf(':', start);
        try {
            return Integer.parseInt(note.substring(start, end));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static void collect(Token t, Set<String> classes, Set<String> macros) {
        switch (t.op()) {
            case IN_CLASS, NOT_IN_CLASS -> classes.add(t.text());
            case DEFERRED -> macros.add(t.text());
            default -> { }
        }
    }

    /** An {@code O} line (or any other line type): take what Tacit uses, report the rest. */
    private static void option(String line, int number, ConfigReader r, List<String> privacy, Integer[] logLevel,
            List<String> notes) {
        String where = r.file + ":" + number + ": ";
        char kind = line.charAt(0);
        if (kind == 'K') {
            String map = firstWord(line.substring(1));
            if (!map.isEmpty()) {
                r.b.declaredMaps.add(map);
            }
        }
        if (kind != 'O') {
            String what = switch (kind) {
                case 'M' -> "mailer " + firstWord(line.substring(1));
                case 'K' -> "map " + firstWord(line.substring(1))
                        + " (lookups in the imported rule sets keep the key or use the $: default)";
                case 'H' -> "header " + firstWord(line.substring(1)).replaceAll(":$", "");
                case 'P' -> "precedence " + line.substring(1);
                case 'T' -> "trusted users " + line.substring(1).strip();
                case 'Q' -> "queue group " + firstWord(line.substring(1));
                case 'E' -> "environment " + line.substring(1);
                default -> "line \"" + line + "\"";
            };
            notes.add(where + "ignored: " + what);
            return;
        }
        String name;
        String value;
        if (line.length() > 1 && line.charAt(1) == ' ') {
            String rest = line.substring(1).strip();
            int eq = rest.indexOf('=');
            name = (eq < 0 ? rest : rest.substring(0, eq)).strip();
            value = eq < 0 ? "" : rest.substring(eq + 1).strip();
        } else if (line.length() > 1) {
            name = shortOption(line.charAt(1));
            value = line.substring(2).strip();
        } else {
            notes.add(where + "ignored: empty option line");
            return;
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "privacyoptions" -> privacy.add(value);
            case "loglevel" -> {
                try {
                    logLevel[0] = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    notes.add(where + "ignored: LogLevel " + value + " is not a number");
                }
            }
            case "operatorchars" -> {
                if (r.sawRule) {
                    notes.add(where + "warning: OperatorChars after the first rule; rules above were read with "
                            + r.b.tokenizer.operatorChars());
                }
                r.b.tokenizer = new Tokenizer(value);
            }
            case "blanksub" -> {
                if (!value.isEmpty()) {
                    r.b.spaceSub = value.charAt(0);
                }
            }
            default -> notes.add(where + "ignored: option " + name);
        }
    }

    private static String shortOption(char c) {
        return switch (c) {
            case 'p' -> "PrivacyOptions";
            case 'L' -> "LogLevel";
            case 'o' -> "OperatorChars";
            case 'B' -> "BlankSub";
            default -> String.valueOf(c);
        };
    }

    private static String firstWord(String s) {
        String t = s.strip();
        int i = 0;
        while (i < t.length() && !Tokenizer.isSpace(t.charAt(i)) && t.charAt(i) != ',') {
            i++;
        }
        return t.substring(0, i);
    }
}
