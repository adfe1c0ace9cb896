package dev.tacit.server;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * sendmail's {@code $_} for a client: {@code name [ip]} when reverse and forward DNS agree,
 * {@code [ip]} otherwise.
 */
final class ClientNames {

    private ClientNames() {}

    static String describe(InetAddress a) {
        String ip = literal(a);
        String name = a.getCanonicalHostName(); // reverse lookup, checked forward by the JDK
        if (name == null || name.equals(a.getHostAddress())) {
            return "[" + ip + "]";
        }
        return name + " [" + ip + "]";
    }

    static String literal(InetAddress a) {
        if (a instanceof Inet6Address) {
            String s = a.getHostAddress();
            int pct = s.indexOf('%');
            return "IPv6:" + (pct >= 0 ? s.substring(0, pct) : s);
        }
        return a.getHostAddress();
    }
}
