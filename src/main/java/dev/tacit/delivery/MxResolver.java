package dev.tacit.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where mail for a domain goes (RFC 5321 5.1): a static route if one is configured for the domain,
 * else its MX hosts by preference (equal preferences shuffled), else the domain's own address
 * records (the implicit MX). A single MX of "." is RFC 7505's null MX: the domain takes no mail.
 * An address literal ({@code [192.0.2.1]}) is its own route.
 *
 * <p>Lookups go through dnsjava with its own cache, to the configured DNS servers or, with none, to
 * the system's (resolv.conf). "No such domain" is final; a server failure or timeout is temporary.
 *
 * <p>Config keys: delivery.dns_servers, delivery.routes, delivery.remote_port.
 */
public final class MxResolver {

    /** One host to try, with its addresses in the order to try them. */
    public record Hop(String host, int port, List<InetAddress> addresses) {}

    /** The outcome of a lookup. */
    public sealed interface Route {
        /** Hosts to try in order. */
        record Hops(List<Hop> hops) implements Route {}

        /** Delivery can never work (no such domain, null MX): RFC 3463 status and text. */
        record Fatal(String status, String reason) implements Route {}

        /** DNS did not answer usefully now; try again later. */
        record Retry(String status, String reason) implements Route {}
    }

    /** A configured route: all mail for a domain to host:port, looked up by A/AAAA only. */
    public record Static(String host, int port) {}

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);
    private final Map<String, Static> routes;
    private final int port;

    /**
     * @param dnsServers host:port of DNS servers; empty: the system's resolvers
     * @param routes     domain (lower case) to a fixed next hop
     * @param port       the SMTP port of MX hosts (25; tests use another)
     */
    public MxResolver(List<InetSocketAddress> dnsServers, Map<String, Static> routes, int port, Duration timeout) {
        this.resolver = dev.tacit.smtp.Dns.resolver(dnsServers, timeout);
        this.routes = new LinkedHashMap<>(routes);
        this.port = port;
    }

    public Route route(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        Static st = routes.get(d);
        if (st != null) {
            return fixed(st.host(), st.port());
        }
        if (d.startsWith("[") && d.endsWith("]")) {
            String lit = d.substring(1, d.length() - 1);
            if (lit.regionMatches(true, 0, "ipv6:", 0, 5)) {
                lit = lit.substring(5);
            }
            try {
                return new Route.Hops(List.of(new Hop(lit, port, List.of(InetAddress.getByName(lit)))));
            } catch (UnknownHostException e) {
                return new Route.Fatal("5.1.2", "bad address literal " + domain);
            }
        }
        return viaDns(d);
    }

    /** A fixed next hop (static route or smarthost): an IP address as it is, a name by A/AAAA. */
    public Route fixed(String host, int hopPort) {
        if (isIpLiteral(host)) {
            try {
                return new Route.Hops(List.of(new Hop(host, hopPort, List.of(InetAddress.getByName(host)))));
            } catch (UnknownHostException e) {
                return new Route.Fatal("5.4.4", "bad address " + host);
            }
        }
        Addresses a = addresses(host);
        if (a.error != null) {
            return a.error;
        }
        return new Route.Hops(List.of(new Hop(host, hopPort, a.list)));
    }

    private Route viaDns(String domain) {
        Name name;
        try {
            name = Name.fromString(domain, Name.root);
        } catch (TextParseException e) {
            return new Route.Fatal("5.1.2", "bad domain name " + domain);
        }
        Lookup l = lookup(name, Type.MX);
        Record[] rs = l.run();
        int result = l.getResult();
        if (result == Lookup.TRY_AGAIN || result == Lookup.UNRECOVERABLE) {
            return new Route.Retry("4.4.3", "Host unknown (name server " + domain + ": " + l.getErrorString() + ")");
        }
        if (result == Lookup.HOST_NOT_FOUND) {
            return new Route.Fatal("5.1.2", "Host unknown (Name server: " + domain + ": host not found)");
        }
        List<MXRecord> mxs = new ArrayList<>();
        if (rs != null) {
            for (Record r : rs) {
                if (r instanceof MXRecord m) {
                    mxs.add(m);
                }
            }
        }
        if (mxs.isEmpty()) {
            // RFC 5321 5.1: no MX, the domain's own address records are the implicit MX
            Addresses a = addresses(domain);
            if (a.error != null) {
                return a.error;
            }
            return new Route.Hops(List.of(new Hop(domain, port, a.list)));
        }
        if (mxs.size() == 1 && mxs.get(0).getTarget().equals(Name.root)) {
            return new Route.Fatal("5.1.10", "Domain " + domain + " does not accept mail (null MX)");
        }
        // equal preferences in random order (RFC 5321 5.1), then by preference
        Collections.shuffle(mxs);
        mxs.sort(Comparator.comparingInt(MXRecord::getPriority));
        List<Hop> hops = new ArrayList<>();
        Route lastError = null;
        for (MXRecord m : mxs) {
            if (m.getTarget().equals(Name.root)) {
                continue;
            }
            String host = m.getTarget().toString(true);
            Addresses a = addresses(host);
            if (a.error != null) {
                lastError = a.error;
                continue;
            }
            hops.add(new Hop(host, port, a.list));
        }
        if (hops.isEmpty()) {
            // every MX name failed to resolve: temporary unless all were certainly absent
            return lastError instanceof Route.Fatal f
                    ? new Route.Fatal("5.4.4", "MX hosts of " + domain + " have no addresses (" + f.reason() + ")")
                    : lastError;
        }
        return new Route.Hops(hops);
    }

    private record Addresses(List<InetAddress> list, Route error) {}

    /** IPv4 addresses first, then IPv6, each in DNS order. */
    private Addresses addresses(String host) {
        Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            return new Addresses(null, new Route.Fatal("5.1.2", "bad host name " + host));
        }
        List<InetAddress> out = new ArrayList<>();
        boolean retry = false;
        String why = "host not found";
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Lookup l = lookup(name, type);
            Record[] rs = l.run();
            if (l.getResult() == Lookup.TRY_AGAIN || l.getResult() == Lookup.UNRECOVERABLE) {
                retry = true;
                why = l.getErrorString();
            }
            if (rs != null) {
                for (Record r : rs) {
                    if (r instanceof ARecord a) {
                        out.add(a.getAddress());
                    } else if (r instanceof AAAARecord a) {
                        out.add(a.getAddress());
                    }
                }
            }
        }
        if (!out.isEmpty()) {
            return new Addresses(out, null);
        }
        String reason = "Host unknown (Name server: " + host + ": " + why + ")";
        return new Addresses(null, retry ? new Route.Retry("4.4.3", reason) : new Route.Fatal("5.1.2", reason));
    }

    private Lookup lookup(Name name, int type) {
        Lookup l = new Lookup(name, type);
        l.setResolver(resolver);
        l.setCache(cache);
        l.setSearchPath((Name[]) null);
        return l;
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
