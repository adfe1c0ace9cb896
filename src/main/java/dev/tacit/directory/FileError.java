package dev.tacit.directory;

import java.nio.file.Path;

/** One problem in a users, aliases or :include: file, shown as {@code file:line: message}. */
public record FileError(Path file, int line, String message) {
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
