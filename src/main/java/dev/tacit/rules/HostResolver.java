package dev.tacit.rules;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code host} map behind {@code $[ name $]} and canonify: a host name's canonical name, or
 * nothing when it cannot be found (the rule then keeps the name as written).
 *
 * <p>Security: the default ({@link #localOnly}) answers from configuration alone, so a VRFY argument
 * never makes Tacit send a DNS query (sendmail's lookups could be used to make the server resolve
 * names of a prober's choice). A DNS-backed resolver can be plugged in by the caller.
 */
@FunctionalInterface
public interface HostResolver {

    /** The canonical name, without the trailing dot the {@code host} map adds. */
    Optional<String> canonical(String host);

    /** Resolves nothing. */
    HostResolver NONE = host -> Optional.empty();

    /**
     * Names of this host only: each of {@code names} (case-insensitively, with or without a trailing
     * dot) canonicalises to itself as written here.
     */
    static HostResolver localOnly(Collection<String> names) {
        Map<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String n : names) {
            m.putIfAbsent(n, n);
        }
        return host -> Optional.ofNullable(m.get(host.endsWith(".") ? host.substring(0, host.length() - 1) : host));
    }

    /**
     * A fixed table, like a hosts file: {@code names} maps every spelling (case-insensitively) to its
     * canonical name.
     */
    static HostResolver table(Map<String, String> names) {
        Map<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        m.putAll(names);
        return host -> Optional.ofNullable(m.get(host));
    }
}
