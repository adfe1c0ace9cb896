package dev.tacit.smtp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/** The DNS resolver mail lookups use (MX for delivery, TXT for SPF): the configured servers, or the system's. */
public final class Dns {

    private Dns() {}

    /**
     * @param servers host:port of DNS servers (config key delivery.dns_servers); empty: the system's
     */
    public static Resolver resolver(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            return Lookup.getDefaultResolver();
        }
        List<Resolver> rs = new ArrayList<>();
        for (InetSocketAddress a : servers) {
            SimpleResolver s = new SimpleResolver(a);
            s.setTimeout(timeout);
            rs.add(s);
        }
        return rs.size() == 1 ? rs.get(0) : new ExtendedResolver(rs);
    }
}
