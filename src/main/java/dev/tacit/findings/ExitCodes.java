package dev.tacit.findings;

import java.util.Collection;

/**
 * Exit codes shared by {@code tacit lint} and {@code tacit audit}, so that a CI step can tell "found
 * something" from "could not run": 0 when no finding is at or above {@code --fail-on}, 1 when one
 * is, 2 for a usage error or input that cannot be parsed (picocli also uses 2 for usage errors).
 */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int FINDINGS = 1;
    public static final int USAGE = 2;

    private ExitCodes() {}

    public static int forFindings(Collection<Finding> findings, Severity failOn) {
        for (Finding f : findings) {
            if (f.severity().atLeast(failOn)) {
                return FINDINGS;
            }
        }
        return OK;
    }
}
