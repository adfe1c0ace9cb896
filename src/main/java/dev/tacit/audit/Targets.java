package dev.tacit.audit;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Type;

/**
 * Turns command-line arguments into {@link Target}s: {@code host}, {@code host:port},
 * {@code [v6]:port}, and a bare domain name, which
 * resolves to its MX hosts in preference order (RFC 5321 5.1). Files of targets ({@link #parseFiles})
 * hold one target a line, # comments. A name without MX records is audited
 * as a host itself, as RFC 5321 5.1's implicit MX rule says.
 *
 * <p>Ports: 25 when none is given; 465 means implicit TLS.
 */
public final class Targets {

    /** A usage error in a target argument; the message names the argument (and file and line). */
    public static final class BadTarget extends Exception {
        private static final long serialVersionUID = 1L;

        public BadTarget(String message) {
            super(message);
        }
    }

    private final Function<String, List<String>> mx;

    /** MX lookups through the system's resolver. */
    public Targets() {
        this(Targets::lookupMx);
    }

    /** MX lookups through this resolver (tests point it at a DNS server on loopback). */
    public Targets(Resolver resolver) {
        this(name -> lookupMx(name, resolver));
    }

    Targets(Function<String, List<String>> mx) {
        this.mx = mx;
    }

    public List<Target> parse(List<String> args) throws BadTarget {
        List<Target> out = new ArrayList<>();
        for (String a : args) {
            out.addAll(one(a));
        }
        return out;
    }

    /** Targets from files, one a line; errors name the file and line. */
    public List<Target> parseFiles(List<Path> files) throws BadTarget {
        List<Target> out = new ArrayList<>();
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new BadTarget(file + ": cannot read: " + e.getMessage());
            }
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).replaceFirst("#.*", "").strip();
                if (l.isEmpty()) {
                    continue;
                }
                try {
                    out.addAll(one(l));
                } catch (BadTarget e) {
                    throw new BadTarget(file + ":" + (i + 1) + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    List<Target> one(String a) throws BadTarget {
        String host;
        int port = -1;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                throw new BadTarget("bad target \"" + a + "\": missing ]");
            }
            host = a.substring(1, close);
            String rest = a.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new BadTarget("bad target \"" + a + "\": expected :port after ]");
                }
                port = port(a, rest.substring(1));
            }
        } else if (a.indexOf(':') != a.lastIndexOf(':')) {
            host = a;     // a bare IPv6 address
        } else if (a.contains(":")) {
            host = a.substring(0, a.indexOf(':'));
            port = port(a, a.substring(a.indexOf(':') + 1));
        } else {
            host = a;
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_-]+")) {
            throw new BadTarget("bad target \"" + a + "\": not a host name or address");
        }
        if (port > 0) {
            return List.of(Target.of(host, port));
        }
        if (!looksLikeAddress(host) && host.contains(".")) {
            List<String> hosts = mx.apply(host);
            if (!hosts.isEmpty()) {
                return hosts.stream().map(h -> new Target(h, Target.SMTP, false, host)).toList();
            }
        }
        return List.of(Target.of(host, Target.SMTP));
    }

    private static int port(String arg, String p) throws BadTarget {
        try {
            int n = Integer.parseInt(p);
            if (n < 1 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadTarget("bad target \"" + arg + "\": port must be 1-65535");
        }
    }

    static boolean looksLikeAddress(String h) {
        return h.contains(":") || h.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }

    private static List<String> lookupMx(String name) {
        return lookupMx(name, null);
    }

    /** MX hosts of a domain, lowest preference first; empty when there are none or DNS fails. */
    static List<String> lookupMx(String name, Resolver resolver) {
        try {
            Lookup l = new Lookup(name, Type.MX);
            if (resolver != null) {
                l.setResolver(resolver);
                l.setCache(null);
            }
            Record[] rs = l.run();
            if (rs == null) {
                return List.of();
            }
            List<MXRecord> mxs = new ArrayList<>();
            for (Record r : rs) {
                if (r instanceof MXRecord m) {
                    mxs.add(m);
                }
            }
            mxs.sort(Comparator.comparingInt(MXRecord::getPriority));
            // RFC 7505: a single "." MX means the domain accepts no mail
            return mxs.stream().map(m -> m.getTarget().toString(true)).filter(h -> !h.isEmpty() && !h.equals(".")).distinct().toList();
        } catch (org.xbill.DNS.TextParseException e) {
            return List.of();
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
