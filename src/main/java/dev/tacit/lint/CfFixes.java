package dev.tacit.lint;

import dev.tacit.lint.SendmailSettings.Setting;
import java.util.Collection;

/**
 * The one sendmail.cf fix that is never ambiguous: PrivacyOptions gains the missing words. The last
 * PrivacyOptions line (options accumulate, so extending any of them works; the last is where a
 * reader looks) gets {@code ,word,...} appended after its value; with no such line, one is added
 * after the last O line.
 */
final class CfFixes {

    private CfFixes() {}

    static void privacy(SendmailSettings s, Collection<String> words, LintContext ctx) {
        String joined = String.join(",", words);
        if (!s.privacy.isEmpty()) {
            Setting last = s.privacy.get(s.privacy.size() - 1);
            String text = s.file.line(last.lastLine()).text();
            ctx.fix(Edit.replace(s.file, last.lastLine(), appendWords(text, last.value(), joined), LintRule.SM101));
        } else {
            ctx.fix(Edit.insertAfter(s.file, s.insertAfter, "O PrivacyOptions=" + joined, LintRule.SM101));
        }
    }

    /**
     * Appends before trailing white space: "value" + ",words". A continuation line holding only white
     * space keeps it, or the words would start a line of their own and break the file (found by
     * fuzzing); no comma is doubled when the value already ends in one.
     */
    static String appendWords(String line, String value, String joined) {
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            end = line.length();
        }
        boolean comma = !value.isEmpty() && !value.strip().endsWith(",");
        return line.substring(0, end) + (comma ? "," : "") + joined + line.substring(end);
    }
}
