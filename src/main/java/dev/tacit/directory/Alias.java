package dev.tacit.directory;

import java.util.List;

/**
 * An alias or list: its name (lower case), its targets as written, one per list element (local
 * names, addresses, {@code |program}, {@code /file}, {@code :include:path}), and where it was defined
 * ({@code aliases:12}, a table or a DN) for diagnostics; source may be null.
 */
public record Alias(String name, List<String> targets, String source) {
    public Alias {
        targets = List.copyOf(targets);
    }

    public Alias(String name, List<String> targets) {
        this(name, targets, null);
    }
}
