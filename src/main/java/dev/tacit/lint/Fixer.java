package dev.tacit.lint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@link Edit}s to a file's bytes: replaced lines keep their own line ending, added lines use
 * the file's usual one, every other byte is copied unchanged. Writes a backup ({@code FILE.tacit-bak})
 * and then the new content atomically (temporary file + rename), and renders a unified diff.
 */
public final class Fixer {

    public static final String BACKUP_SUFFIX = ".tacit-bak";

    private Fixer() {}

    /** One line of the result: ' ' unchanged, '-' removed, '+' added, with old/new line numbers. */
    record Row(char op, String text, int oldNo, int newNo) {}

    /** The new content of a file after its edits. */
    public static String apply(SourceFile f, List<Edit> edits) {
        StringBuilder out = new StringBuilder();
        rows(f, edits, out); // builds the text as it goes
        return out.toString();
    }

    private static List<Row> rows(SourceFile f, List<Edit> edits, StringBuilder out) {
        String eol = f.dominantEol();
        List<Row> rows = new ArrayList<>();
        int newNo = 0;
        for (Edit e : edits) {
            if (e.kind() == Edit.Kind.INSERT_AFTER && e.line() == 0) {
                out.append(e.text()).append(eol);
                rows.add(new Row('+', e.text(), 0, ++newNo));
            }
        }
        for (SourceFile.Line l : f.lines()) {
            String replacement = null;
            for (Edit e : edits) {
                if (e.kind() == Edit.Kind.REPLACE && e.line() == l.number()) {
                    replacement = e.text();
                }
            }
            List<String> inserts = new ArrayList<>();
            for (Edit e : edits) {
                if (e.kind() == Edit.Kind.INSERT_AFTER && e.line() == l.number()) {
                    inserts.add(e.text());
                }
            }
            String lineEol = l.eol().isEmpty() && !inserts.isEmpty() ? eol : l.eol();
            if (replacement != null && !replacement.equals(l.text())) {
                out.append(replacement).append(lineEol);
                rows.add(new Row('-', l.text(), l.number(), 0));
                rows.add(new Row('+', replacement, 0, ++newNo));
            } else {
                out.append(l.text()).append(lineEol);
                rows.add(new Row(' ', l.text(), l.number(), ++newNo));
            }
            for (String ins : inserts) {
                out.append(ins).append(eol);
                rows.add(new Row('+', ins, 0, ++newNo));
            }
        }
        return rows;
    }

    /** A unified diff (3 lines of context) of the edits, or "" when they change nothing. */
    public static String diff(SourceFile f, List<Edit> edits) {
        List<Row> rows = rows(f, edits, new StringBuilder());
        List<int[]> hunks = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).op() == ' ') {
                continue;
            }
            int from = Math.max(0, i - 3);
            int to = i;
            while (to + 1 < rows.size()) {
                int next = to + 1;
                int gap = 0;
                while (next < rows.size() && rows.get(next).op() == ' ') {
                    next++;
                    gap++;
                }
                if (next < rows.size() && gap <= 6) {
                    to = next;
                } else {
                    to = Math.min(rows.size() - 1, to + 3);
                    break;
                }
            }
            hunks.add(new int[] {from, to});
            i = to;
        }
        if (hunks.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(f.display()).append('\n');
        sb.append("+++ ").append(f.display()).append(" (fixed)\n");
        for (int[] h : hunks) {
            int oldStart = 0;
            int newStart = 0;
            int oldLen = 0;
            int newLen = 0;
            for (int i = h[0]; i <= h[1]; i++) {
                Row r = rows.get(i);
                if (r.op() != '+') {
                    oldLen++;
                    if (oldStart == 0) {
                        oldStart = r.oldNo();
                    }
                }
                if (r.op() != '-') {
                    newLen++;
                    if (newStart == 0) {
                        newStart = r.newNo();
                    }
                }
            }
            if (oldStart == 0) {
                oldStart = h[0] == 0 ? 0 : lastOld(rows, h[0]);
            }
            sb.append("@@ -").append(oldStart).append(',').append(oldLen)
                    .append(" +").append(newStart).append(',').append(newLen).append(" @@\n");
            for (int i = h[0]; i <= h[1]; i++) {
                Row r = rows.get(i);
                sb.append(r.op()).append(r.text()).append('\n');
            }
        }
        return sb.toString();
    }

    private static int lastOld(List<Row> rows, int before) {
        for (int i = before - 1; i >= 0; i--) {
            if (rows.get(i).oldNo() > 0) {
                return rows.get(i).oldNo();
            }
        }
        return 0;
    }

    /** Writes the fixed content next to a backup of the original; returns the backup path. */
    public static Path write(SourceFile f, String content) throws IOException {
        Path target = f.path();
        Path backup = target.resolveSibling(target.getFileName() + BACKUP_SUFFIX);
        Files.copy(target, backup, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tacit-tmp");
        Files.write(tmp, content.getBytes(StandardCharsets.ISO_8859_1));
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return backup;
    }
}
