package dev.tacit.audit;

/** Progress of a long enumeration, for a terminal status line. Called from several threads. */
@FunctionalInterface
public interface Progress {
    void update(Target target, int done, int total, int found);

    Progress NONE = (t, d, n, f) -> {};
}
