package dev.tacit.directory;

import java.util.List;

/**
 * The result of expanding one address: the final targets (duplicates removed) and the problems met
 * on the way (unknown names, loops, too deep), each naming the offending entry.
 */
public record Expansion(List<Target> targets, List<Problem> problems) {

    public Expansion {
        targets = List.copyOf(targets);
        problems = List.copyOf(problems);
    }

    public sealed interface Problem {
        record Unknown(String name) implements Problem {}

        record Loop(List<String> chain) implements Problem {}

        record TooDeep(String name, int depth) implements Problem {}

        record Refused(String target, String reason) implements Problem {}
    }
}
