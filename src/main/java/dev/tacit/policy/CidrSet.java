package dev.tacit.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** A set of IPv4/IPv6 networks in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, a bare address). */
public final class CidrSet {

    private record Net(byte[] prefix, int bits) {
        boolean contains(byte[] a) {
            if (a.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (prefix[full] & mask);
        }
    }

    public static final CidrSet EMPTY = new CidrSet(List.of(), List.of());

    private final List<Net> nets;
    private final List<String> spelled;

    private CidrSet(List<Net> nets, List<String> spelled) {
        this.nets = nets;
        this.spelled = spelled;
    }

    /** Parses CIDR strings; throws IllegalArgumentException naming the bad one. */
    public static CidrSet parse(List<String> cidrs) {
        List<Net> out = new ArrayList<>();
        for (String c : cidrs) {
            String s = c.strip();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("\"" + c + "\" is not an IP address or CIDR network");
            }
            byte[] a;
            try {
                a = InetAddress.getByName(addr).getAddress(); // literal only: no DNS for [0-9a-f:.] text
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("\"" + c + "\" is not an IP address");
            }
            int max = a.length * 8;
            int bits = max;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + c + "\": bad prefix length");
                }
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException("\"" + c + "\": prefix length must be 0.." + max);
                }
            }
            out.add(new Net(a, bits));
        }
        return new CidrSet(List.copyOf(out), List.copyOf(cidrs));
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        for (Net n : nets) {
            if (n.contains(b)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return nets.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(", ", spelled);
    }
}
