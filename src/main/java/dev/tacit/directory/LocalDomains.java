package dev.tacit.directory;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * sendmail's class w: the names under which this host receives mail. The hostname, the configured
 * local domains, {@code localhost}, and the address literals of the listen addresses
 * ({@code [127.0.0.1]}, {@code [IPv6:::1]}).
 */
public final class LocalDomains {

    private final String hostname;
    private final Set<String> names;

    public LocalDomains(String hostname, Collection<String> domains, Collection<String> listenHosts) {
        this.hostname = hostname;
        Set<String> s = new LinkedHashSet<>();
        s.add(hostname.toLowerCase(Locale.ROOT));
        for (String d : domains) {
            s.add(d.toLowerCase(Locale.ROOT));
        }
        s.add("localhost");
        for (String h : listenHosts) {
            if (h.equals("0.0.0.0") || h.equals("::")) {
                continue;
            }
            s.add(h.indexOf(':') >= 0 ? "[ipv6:" + h.toLowerCase(Locale.ROOT) + "]" : "[" + h + "]");
        }
        this.names = Set.copyOf(s);
    }

    public String hostname() {
        return hostname;
    }

    public Set<String> names() {
        return names;
    }

    /** Whether a domain (any case, optional trailing dot, address literal) is local. */
    public boolean isLocal(String domain) {
        if (domain == null || domain.isEmpty()) {
            return true;
        }
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        return names.contains(d);
    }
}
