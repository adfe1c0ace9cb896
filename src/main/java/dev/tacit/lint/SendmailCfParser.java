package dev.tacit.lint;

import dev.tacit.lint.SendmailSettings.CfRule;
import dev.tacit.lint.SendmailSettings.Ruleset;
import dev.tacit.lint.SendmailSettings.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads sendmail.cf as sendmail's readcf does, as far as enumeration is concerned: lines that start
 * with a space or TAB continue the previous line; {@code #} lines and blank lines are skipped;
 * options in both spellings ({@code O PrivacyOptions=goaway}, case-insensitive long names, spaces
 * around {@code =}, and the old one-letter form {@code Opgoaway} / {@code OL9}); {@code S}/{@code R}
 * rule sets. A line sendmail would reject (an R line with no TAB, an unknown line type) is a
 * {@link LintException} naming the line.
 */
public final class SendmailCfParser {

    /** One logical line: the joined text and the physical lines it spans. */
    record Logical(String text, int first, int last) {}

    private SendmailCfParser() {}

    static List<Logical> logicalLines(SourceFile f) {
        List<Logical> out = new ArrayList<>();
        StringBuilder cur = null;
        int first = 0;
        int last = 0;
        for (SourceFile.Line l : f.lines()) {
            String t = l.text();
            if (cur != null && !t.isEmpty() && (t.charAt(0) == ' ' || t.charAt(0) == '\t')) {
                cur.append('\n').append(t);
                last = l.number();
                continue;
            }
            if (cur != null) {
                out.add(new Logical(cur.toString(), first, last));
            }
            cur = new StringBuilder(t);
            first = l.number();
            last = l.number();
        }
        if (cur != null) {
            out.add(new Logical(cur.toString(), first, last));
        }
        return out;
    }

    public static SendmailSettings parse(SourceFile f) throws LintException {
        SendmailSettings s = new SendmailSettings(f);
        Ruleset current = null;
        List<CfRule> currentRules = null;
        for (Logical l : logicalLines(f)) {
            String t = l.text();
            if (t.isBlank() || t.charAt(0) == '#') {
                continue;
            }
            char kind = t.charAt(0);
            switch (kind) {
                case 'O' -> {
                    option(s, f, l);
                    s.insertAfter = l.last();
                }
                case 'S' -> {
                    String name = t.substring(1).strip();
                    int eq = name.indexOf('=');
                    if (eq >= 0) {
                        name = name.substring(0, eq).strip();
                    }
                    if (name.isEmpty()) {
                        throw new LintException(f.display(), l.first(), "S line without a rule set name");
                    }
                    Ruleset existing = s.rulesets.get(name);
                    if (existing != null) {
                        current = existing; // sendmail appends to an existing set
                        currentRules = (List<CfRule>) existing.rules();
                    } else {
                        currentRules = new ArrayList<>();
                        current = new Ruleset(name, f, l.first(), currentRules);
                        s.rulesets.put(name, current);
                    }
                }
                case 'R' -> {
                    int tab = t.indexOf('\t');
                    if (tab < 0) {
                        throw new LintException(f.display(), l.first(),
                                "invalid rewrite line \"" + shorten(t) + "\" (tab expected between pattern and replacement)");
                    }
                    String lhs = t.substring(1, tab).strip();
                    String rest = t.substring(tab).replaceFirst("^\t+", "");
                    int tab2 = rest.indexOf('\t');
                    String rhs = (tab2 < 0 ? rest : rest.substring(0, tab2)).strip();
                    if (currentRules != null) {
                        currentRules.add(new CfRule(lhs, rhs, l.first()));
                    }
                }
                case 'C', 'F', 'D', 'H', 'P', 'V', 'K', 'M', 'E', 'L', 'T', 'Q', 'X', 'G' -> {
                    // classes, macros, headers, mailers, maps, ...: nothing to check here
                }
                default -> throw new LintException(f.display(), l.first(),
                        "unknown configuration line \"" + shorten(t) + "\" (sendmail.cf lines start with a letter such as O, R, S, C, D)");
            }
        }
        return s;
    }

    private static void option(SendmailSettings s, SourceFile f, Logical l) {
        String t = l.text();
        String name;
        String value;
        int valueStart;
        if (t.length() >= 2 && t.charAt(1) != ' ' && t.charAt(1) != '\t') {
            // old one-letter form: Opgoaway, OL9
            char letter = t.charAt(1);
            name = switch (letter) {
                case 'p' -> "privacyoptions";
                case 'L' -> "loglevel";
                case 'G' -> "matchgecos";
                default -> "";
            };
            valueStart = 2;
            value = t.substring(2);
        } else {
            int i = 1;
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            int ns = i;
            while (i < t.length() && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_'
                    || t.charAt(i) == '.' || t.charAt(i) == '{' || t.charAt(i) == '}')) {
                i++;
            }
            name = t.substring(ns, i).toLowerCase(Locale.ROOT);
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (i < t.length() && t.charAt(i) == '=') {
                i++;
                while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                    i++;
                }
            }
            valueStart = i;
            value = t.substring(i);
        }
        int column = valueStart + 1;
        if (value.indexOf('\n') >= 0) {
            column = 1;
        }
        Setting set = new Setting(value.strip(), f, l.first(), column, l.last());
        switch (name) {
            case "privacyoptions" -> s.privacy.add(set);
            case "loglevel" -> s.logLevel = set;
            case "badrcptthrottle" -> s.badRcptThrottle = set;
            case "maxrecipientspermessage" -> s.maxRecipients = set;
            case "matchgecos" -> s.matchGecos = set;
            case "connectionratethrottle" -> s.connectionRate = set;
            default -> { }
        }
    }

    static String shorten(String s) {
        String one = s.replace('\n', ' ').replace('\t', ' ');
        return one.length() > 60 ? one.substring(0, 57) + "..." : one;
    }
}
