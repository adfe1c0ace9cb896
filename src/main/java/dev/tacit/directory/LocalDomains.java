package dev.tacit.directory;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * sendmail's class w: the names under which this host receives mail (sendmail-privacy.md 16). The
 * host name, the configured local domains, {@code localhost}, and the address literals of the listen
 * addresses ({@code [127.0.0.1]}, {@code [IPv6:::1]}); a wildcard listen address stands for every
 * address of every interface, as sendmail probes its interfaces. Names match without regard to case
 * and with an optional trailing dot; literals match by address, so {@code [IPv6:0:0:0:0:0:0:0:1]}
 * is {@code [IPv6:::1]}. No DNS is consulted.
 *
 * <p>Config keys: hostname, local_domains, listen.
 */
public final class LocalDomains {

    private final String hostname;
    private final Set<String> names;
    private final Set<InetAddress> literals;

    public LocalDomains(String hostname, Collection<String> domains, Collection<String> listenHosts) {
        this.hostname = hostname;
        Set<String> s = new LinkedHashSet<>();
        s.add(hostname.toLowerCase(Locale.ROOT));
        for (String d : domains) {
            s.add(d.toLowerCase(Locale.ROOT));
        }
        s.add("localhost");
        Set<InetAddress> lits = new HashSet<>();
        for (String h : listenHosts) {
            InetAddress a = literal(h);
            if (a == null) {
                continue;
            }
            if (a.isAnyLocalAddress()) {
                lits.addAll(interfaceAddresses());
            } else {
                lits.add(a);
            }
        }
        for (InetAddress a : lits) {
            s.add(literalName(a));
        }
        this.names = Collections.unmodifiableSet(s);
        this.literals = Set.copyOf(lits);
    }

    public String hostname() {
        return hostname;
    }

    /** Every name, address literals included, in a stable order (host name first). */
    public Set<String> names() {
        return names;
    }

    /** Whether a domain (any case, optional trailing dot, address literal) is local; null or empty is. */
    public boolean isLocal(String domain) {
        if (domain == null || domain.isEmpty()) {
            return true;
        }
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.startsWith("[") && d.endsWith("]")) {
            String inner = d.substring(1, d.length() - 1);
            if (inner.startsWith("ipv6:")) {
                inner = inner.substring(5);
            } else if (inner.indexOf(':') >= 0) {
                return false; // RFC 5321 4.1.3: IPv6 literals need their tag
            }
            InetAddress a = literal(inner);
            return a != null && literals.contains(a);
        }
        return names.contains(d);
    }

    /** A numeric address, or null; never a DNS lookup. */
    static InetAddress literal(String s) {
        if (s.isEmpty()) {
            return null;
        }
        boolean v4 = s.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (v4) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                    return null;
                }
            }
        } else if (!v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s); // numeric only, checked above: no resolver involved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String literalName(InetAddress a) {
        String h = a.getHostAddress();
        int pct = h.indexOf('%');
        if (pct >= 0) {
            h = h.substring(0, pct);
        }
        return a.getAddress().length == 16 ? "[ipv6:" + h + "]" : "[" + h + "]";
    }

    private static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    out.add(stripScope(a));
                }
            }
        } catch (SocketException e) {
            // no interface list: only the names and the explicit literals count
        }
        return out;
    }

    private static InetAddress stripScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
