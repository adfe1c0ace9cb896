package dev.tacit.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * SPF (RFC 7208) check_host(), for one question only: may Tacit send a delivery report about unknown
 * recipients to this sender (config enumeration.unknown_recipients = "bounce")? Only a PASS says the
 * sender's domain authorised the client, so a report cannot be backscatter to a forged address.
 *
 * <p>Mechanisms all, include, a, mx, ip4, ip6, exists and the redirect modifier, with the RFC's limits
 * (10 DNS-querying terms, 2 void lookups). Not implemented: macros (a term with {@code %} is a
 * PERMERROR) and ptr (never matches; RFC 7208 5.5 says not to use it). Anything but PASS means "do not
 * send".
 */
public final class Spf {

    public enum Result { PASS, FAIL, SOFTFAIL, NEUTRAL, NONE, TEMPERROR, PERMERROR }

    private static final int MAX_LOOKUPS = 10;
    private static final int MAX_VOID = 2;

    private final Resolver resolver;

    public Spf(Resolver resolver) {
        this.resolver = resolver;
    }

    /** Counters shared by one evaluation, includes and redirects included. */
    private static final class Budget {
        int lookups;
        int voids;
    }

    private static final class Abort extends Exception {
        private static final long serialVersionUID = 1L;
        final Result result;

        Abort(Result result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    public Result check(InetAddress ip, String domain) {
        try {
            return checkHost(ip, domain.toLowerCase(Locale.ROOT), new Budget(), 0);
        } catch (Abort a) {
            return a.result;
        } catch (IllegalArgumentException e) {
            return Result.PERMERROR; // a malformed address or prefix in the record (RFC 7208 4.6: syntax error)
        }
    }

    private Result checkHost(InetAddress ip, String domain, Budget budget, int depth) throws Abort {
        if (depth > MAX_LOOKUPS) {
            throw new Abort(Result.PERMERROR);
        }
        List<Record> txt = query(domain, Type.TXT, budget, false);
        String policy = null;
        for (Record r : txt) {
            String s = String.join("", ((TXTRecord) r).getStrings());
            if (s.equalsIgnoreCase("v=spf1") || s.toLowerCase(Locale.ROOT).startsWith("v=spf1 ")) {
                if (policy != null) {
                    return Result.PERMERROR; // more than one SPF record
                }
                policy = s;
            }
        }
        if (policy == null) {
            return Result.NONE;
        }
        String redirect = null;
        String[] terms = policy.trim().split("\\s+");
        for (int i = 1; i < terms.length; i++) {
            String term = terms[i];
            if (term.indexOf('%') >= 0) {
                throw new Abort(Result.PERMERROR); // macros are not supported
            }
            int eq = term.indexOf('=');
            int colon = term.indexOf(':');
            if (eq > 0 && (colon < 0 || eq < colon)) {
                String name = term.substring(0, eq).toLowerCase(Locale.ROOT);
                if (name.equals("redirect")) {
                    redirect = term.substring(eq + 1);
                }
                continue; // exp= and unknown modifiers do not change the result
            }
            Result qualifier = Result.PASS;
            char q = term.charAt(0);
            if ("+-~?".indexOf(q) >= 0) {
                qualifier = switch (q) {
                    case '-' -> Result.FAIL;
                    case '~' -> Result.SOFTFAIL;
                    case '?' -> Result.NEUTRAL;
                    default -> Result.PASS;
                };
                term = term.substring(1);
            }
            if (matches(ip, domain, term, budget, depth)) {
                return qualifier;
            }
        }
        if (redirect != null) {
            count(budget);
            Result r = checkHost(ip, redirect.toLowerCase(Locale.ROOT), budget, depth + 1);
            return r == Result.NONE ? Result.PERMERROR : r;
        }
        return Result.NEUTRAL;
    }

    private boolean matches(InetAddress ip, String domain, String term, Budget budget, int depth) throws Abort {
        String lower = term.toLowerCase(Locale.ROOT);
        String mech = lower;
        String arg = null;
        int colon = lower.indexOf(':');
        int slash = lower.indexOf('/');
        if (colon >= 0) {
            mech = lower.substring(0, colon);
            arg = term.substring(colon + 1);
        } else if (slash >= 0) {
            mech = lower.substring(0, slash);
            arg = term.substring(slash); // a/24 or mx//64: no domain, only lengths
        }
        switch (mech) {
            case "all":
                return true;
            case "ip4":
            case "ip6":
                return arg != null && CidrSet.parse(List.of(arg)).contains(ip);
            case "include": {
                if (arg == null) {
                    throw new Abort(Result.PERMERROR);
                }
                count(budget);
                Result r = checkHost(ip, arg.toLowerCase(Locale.ROOT), budget, depth + 1);
                return switch (r) {
                    case PASS -> true;
                    case FAIL, SOFTFAIL, NEUTRAL -> false;
                    case TEMPERROR -> throw new Abort(Result.TEMPERROR);
                    case NONE, PERMERROR -> throw new Abort(Result.PERMERROR);
                };
            }
            case "a":
            case "mx": {
                count(budget);
                String[] dl = domainAndLengths(domain, arg);
                List<InetAddress> addrs = new ArrayList<>();
                if (mech.equals("a")) {
                    addrs.addAll(addresses(dl[0], ip, budget));
                } else {
                    List<Record> mx = query(dl[0], Type.MX, budget, true);
                    if (mx.size() > MAX_LOOKUPS) {
                        throw new Abort(Result.PERMERROR);
                    }
                    for (Record r : mx) {
                        addrs.addAll(addresses(((MXRecord) r).getTarget().toString(true), ip, budget));
                    }
                }
                String len = ip instanceof Inet4Address ? dl[1] : dl[2];
                for (InetAddress a : addrs) {
                    String cidr = a.getHostAddress() + (len == null ? "" : "/" + len);
                    if (CidrSet.parse(List.of(cidr)).contains(ip)) {
                        return true;
                    }
                }
                return false;
            }
            case "exists": {
                if (arg == null) {
                    throw new Abort(Result.PERMERROR);
                }
                count(budget);
                return !query(arg, Type.A, budget, true).isEmpty();
            }
            case "ptr":
                count(budget);
                return false;
            default:
                throw new Abort(Result.PERMERROR); // an unknown mechanism
        }
    }

    /** [domain][/len4][//len6] -> {domain, len4 or null, len6 or null}. */
    private static String[] domainAndLengths(String current, String arg) {
        if (arg == null) {
            return new String[] {current, null, null};
        }
        String d = arg;
        String l4 = null;
        String l6 = null;
        int dbl = d.indexOf("//");
        if (dbl >= 0) {
            l6 = d.substring(dbl + 2);
            d = d.substring(0, dbl);
        }
        int one = d.indexOf('/');
        if (one >= 0) {
            l4 = d.substring(one + 1);
            d = d.substring(0, one);
        }
        return new String[] {d.isEmpty() ? current : d.toLowerCase(Locale.ROOT), l4, l6};
    }

    private List<InetAddress> addresses(String host, InetAddress family, Budget budget) throws Abort {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : query(host, family instanceof Inet4Address ? Type.A : Type.AAAA, budget, true)) {
            out.add(r instanceof ARecord a ? a.getAddress() : ((AAAARecord) r).getAddress());
        }
        return out;
    }

    private static void count(Budget b) throws Abort {
        if (++b.lookups > MAX_LOOKUPS) {
            throw new Abort(Result.PERMERROR);
        }
    }

    private List<Record> query(String name, int type, Budget budget, boolean voidCounts) throws Abort {
        Lookup l;
        try {
            l = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), type);
        } catch (TextParseException e) {
            throw new Abort(Result.PERMERROR);
        }
        l.setResolver(resolver);
        l.setCache(null);
        Record[] rs = l.run();
        int result = l.getResult();
        if (result == Lookup.TRY_AGAIN || result == Lookup.UNRECOVERABLE) {
            throw new Abort(Result.TEMPERROR);
        }
        if (rs == null || rs.length == 0) {
            if (voidCounts && ++budget.voids > MAX_VOID) {
                throw new Abort(Result.PERMERROR);
            }
            return List.of();
        }
        List<Record> out = new ArrayList<>();
        for (Record r : rs) {
            if (r.getType() == type) {
                out.add(r);
            }
        }
        return out;
    }
}
