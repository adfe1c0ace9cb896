package dev.tacit.lint;

/**
 * One unambiguous change {@code --fix} may make to a file: replace the text of one line (its line
 * ending is kept), or insert whole lines after a line (0 = at the top; the file's usual line ending
 * is used).
 *
 * @param rule the finding this edit fixes
 */
public record Edit(SourceFile file, Kind kind, int line, String text, LintRule rule) {

    public enum Kind { REPLACE, INSERT_AFTER }

    public static Edit replace(SourceFile file, int line, String text, LintRule rule) {
        return new Edit(file, Kind.REPLACE, line, text, rule);
    }

    public static Edit insertAfter(SourceFile file, int line, String text, LintRule rule) {
        return new Edit(file, Kind.INSERT_AFTER, line, text, rule);
    }
}
