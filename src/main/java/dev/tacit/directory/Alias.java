package dev.tacit.directory;

import java.util.List;

/** An alias or list: its name and its targets as written (local names, addresses, :include: paths). */
public record Alias(String name, List<String> targets) {
    public Alias {
        targets = List.copyOf(targets);
    }
}
