package dev.tacit.directory;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who exists here: the narrow interface every backend implements (files, PostgreSQL, LDAP). The SMTP
 * session never talks to a backend; it goes through {@link Expander}, which adds sendmail's recursion,
 * duplicate, loop and depth rules on top of these lookups.
 *
 * <p>Names arrive in lower case (sendmail folds local names before looking them up); backends match
 * them without regard to case. A backend that cannot answer throws
 * {@link DirectoryUnavailableException}, which callers turn into 451 4.3.0, never into "unknown".
 */
public interface Directory extends AutoCloseable {

    /** A user by login. */
    Optional<User> user(String login) throws DirectoryUnavailableException;

    /** An alias or list by name. */
    Optional<Alias> alias(String name) throws DirectoryUnavailableException;

    /** Many users at once (one query for a 10,000-member list); absent names are left out. */
    default Map<String, User> users(Collection<String> logins) throws DirectoryUnavailableException {
        Map<String, User> out = new HashMap<>();
        for (String l : logins) {
            Optional<User> u = user(l);
            if (u.isPresent()) {
                out.put(l, u.get());
            }
        }
        return out;
    }

    /** Many aliases at once; absent names are left out. */
    default Map<String, Alias> aliases(Collection<String> names) throws DirectoryUnavailableException {
        Map<String, Alias> out = new HashMap<>();
        for (String n : names) {
            Optional<Alias> a = alias(n);
            if (a.isPresent()) {
                out.put(n, a.get());
            }
        }
        return out;
    }

    /**
     * The lines of an {@code :include:} file named by an alias, each a comma-separated list; empty
     * when this backend has no such file (only the files backend reads includes).
     */
    default Optional<List<String>> include(String path) throws DirectoryUnavailableException {
        return Optional.empty();
    }

    /** Counts for status output, or -1 when the backend does not know cheaply. */
    default long userCount() {
        return -1;
    }

    default long aliasCount() {
        return -1;
    }

    @Override
    default void close() {}
}
