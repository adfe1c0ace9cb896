package dev.tacit.directory;

/**
 * A backend could not answer (database down, LDAP timeout). Callers answer 4xx (451 4.3.0), never
 * "user unknown": a lookup failure must not look like a verdict.
 */
public final class DirectoryUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public DirectoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
