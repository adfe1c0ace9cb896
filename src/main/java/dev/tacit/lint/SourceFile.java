package dev.tacit.lint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A config file held byte for byte: read as ISO-8859-1 so every byte maps to one char and back,
 * which lets {@code --fix} rewrite single lines and leave every other byte (comments, order, CRLF or
 * LF, stray 8-bit text) exactly as it was. Lines are numbered from 1; each keeps its own ending.
 */
public final class SourceFile {

    /** One physical line: its text without the ending, the ending ("\n", "\r\n" or "" at EOF), its start offset. */
    public record Line(int number, String text, String eol, int start) {}

    private final Path path;
    private final String display;
    private final String text;
    private final List<Line> lines;

    public SourceFile(Path path, String display, String text) {
        this.path = path;
        this.display = display;
        this.text = text;
        this.lines = split(text);
    }

    public static SourceFile read(Path path, String display) throws LintException {
        try {
            byte[] bytes = Files.readAllBytes(path);
            for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
                if (bytes[i] == 0) {
                    throw new LintException(display, 0, "not a text file (contains NUL bytes)");
                }
            }
            return new SourceFile(path, display, new String(bytes, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new LintException(display, 0, "cannot read: " + e.getMessage());
        }
    }

    public static SourceFile of(String display, String text) {
        return new SourceFile(Path.of(display), display, text);
    }

    private static List<Line> split(String text) {
        List<Line> out = new ArrayList<>();
        int start = 0;
        int n = 1;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                out.add(new Line(n, text.substring(start), "", start));
                break;
            }
            boolean cr = nl > start && text.charAt(nl - 1) == '\r';
            out.add(new Line(n++, text.substring(start, cr ? nl - 1 : nl), cr ? "\r\n" : "\n", start));
            start = nl + 1;
        }
        return List.copyOf(out);
    }

    public Path path() {
        return path;
    }

    /** The name used in findings (as given on the command line). */
    public String display() {
        return display;
    }

    public String text() {
        return text;
    }

    public List<Line> lines() {
        return lines;
    }

    public Line line(int number) {
        return lines.get(number - 1);
    }

    /** The line ending most lines use, for lines a fix adds. */
    public String dominantEol() {
        int crlf = 0;
        int lf = 0;
        for (Line l : lines) {
            if (l.eol().equals("\r\n")) {
                crlf++;
            } else if (l.eol().equals("\n")) {
                lf++;
            }
        }
        return crlf > lf ? "\r\n" : "\n";
    }

    /** Line number (1-based) of a character offset. */
    public int lineOf(int offset) {
        int lo = 0;
        int hi = lines.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lines.get(mid).start() <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lines.isEmpty() ? 1 : lines.get(lo).number();
    }

    /** Column (1-based) of a character offset. */
    public int columnOf(int offset) {
        if (lines.isEmpty()) {
            return 1;
        }
        return offset - line(lineOf(offset)).start() + 1;
    }
}
