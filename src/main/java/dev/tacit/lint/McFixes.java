package dev.tacit.lint;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * sendmail.mc fix: the missing words go inside the confPRIVACY_FLAGS value, before its closing
 * quote; without the define, one is added before the first MAILER line (m4 options must precede
 * mailers), keeping m4's default authwarnings.
 */
final class McFixes {

    private McFixes() {}

    static void privacy(SendmailSettings s, Collection<String> words, LintContext ctx) {
        SourceFile f = s.file;
        if (s.privacyInsertAt >= 0 && !s.privacyQuoted) {
            // an unquoted value cannot take commas (they would start new m4 arguments): quote it, on one line only
            int start = s.privacyArgStart;
            int end = s.privacyInsertAt;
            int line = f.lineOf(start);
            if (f.lineOf(end) != line) {
                return;
            }
            SourceFile.Line l = f.line(line);
            String raw = f.text().substring(start, end);
            String value = raw.isEmpty() ? String.join(",", words) : raw + "," + String.join(",", words);
            String text = l.text().substring(0, start - l.start()) + "`" + value + "'" + l.text().substring(end - l.start());
            ctx.fix(Edit.replace(f, line, text, LintRule.MC201));
        } else if (s.privacyInsertAt >= 0) {
            int at = s.privacyInsertAt;
            int line = f.lineOf(at);
            SourceFile.Line l = f.line(line);
            int col = at - l.start();
            String before = l.text().substring(0, col);
            boolean empty = s.privacy.isEmpty() || s.privacy.get(0).value().isEmpty();
            String text = before + (empty ? "" : ",") + String.join(",", words) + l.text().substring(col);
            ctx.fix(Edit.replace(f, line, text, LintRule.MC201));
        } else {
            Set<String> all = new LinkedHashSet<>();
            all.add("authwarnings");
            all.addAll(words);
            ctx.fix(Edit.insertAfter(f, s.insertAfter,
                    "define(`confPRIVACY_FLAGS', `" + String.join(",", all) + "')dnl", LintRule.MC201));
        }
    }
}
