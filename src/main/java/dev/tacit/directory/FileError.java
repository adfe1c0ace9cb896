package dev.tacit.directory;

import java.nio.file.Path;

/** One problem in a users, aliases or :include: file, shown as {@code file:line: message}. */
public record FileError(Path file, int line, String message) {
    /** One line: control characters the files contained (a stray CR, a NUL) are shown as \xNN. */
    @Override
    public String toString() {
        StringBuilder m = new StringBuilder(message.length());
        message.chars().forEach(c -> m.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return line > 0 ? file + ":" + line + ": " + m : file + ": " + m;
    }
}
