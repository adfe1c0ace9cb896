package dev.tacit.lint;

/**
 * A file that cannot be linted: unreadable, or a syntax error the MTA itself would refuse. Rendered
 * as one line {@code file:line: message}; the CLI exits 2.
 */
public final class LintException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    public LintException(String file, int line, String message) {
        super(message);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** {@code file:line: message}, or {@code file: message} when the line is unknown. */
    public String oneLine() {
        return (line > 0 ? file + ":" + line : file) + ": " + getMessage();
    }
}
