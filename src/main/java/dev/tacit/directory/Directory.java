package dev.tacit.directory;

import java.util.Optional;

/**
 * Who exists here: the narrow interface every backend (files, PostgreSQL, LDAP) implements. The SMTP
 * session never talks to a backend directly; it goes through {@link Expander}, which adds recursion,
 * loop detection and sendmail's matching rules on top of these two lookups.
 */
public interface Directory extends AutoCloseable {

    /** A user by login, exact match (the caller retries in lower case, as sendmail does). */
    Optional<User> user(String login) throws DirectoryUnavailableException;

    /** An alias or list by name; names are case-insensitive. */
    Optional<Alias> alias(String name) throws DirectoryUnavailableException;

    @Override
    default void close() {}
}
