package dev.tacit.audit;

import dev.tacit.smtp.SmtpClient;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Audits one SMTP target for user enumeration: greets it (STARTTLS when offered), runs the
 * differential oracle for VRFY, EXPN and RCPT, probes DEBUG/SHOWQ/WIZ/VERB/ETRN and relaying,
 * fingerprints the MTA, optionally enumerates a wordlist and runs the timing test, and turns all of
 * it into findings with remediation.
 *
 * <p>Security: it sends MAIL and RCPT but never DATA, so no message is ever delivered; never AUTH.
 * Each method runs on a fresh connection so that per-connection counters (sendmail's VRFY limit,
 * Postfix's error limits) do not spill from one method into the next. Canaries come from
 * SecureRandom so a server cannot whitelist them.
 *
 * <p>RFC 5321 3.5 (VRFY/EXPN), 4.1.1.3 (RCPT), 4.5.1 (postmaster must exist), 7.3 (252 when VRFY is
 * disabled); RFC 3207 (STARTTLS); RFC 8314 (implicit TLS on 465).
 */
public final class Auditor {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyz";
    private static final String ALNUM = ALPHA + "0123456789";

    private final AuditOptions opts;
    private final Progress progress;

    public Auditor(AuditOptions opts, Progress progress) {
        this.opts = opts;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** A random local part that cannot exist: a letter then 11 letters or digits. */
    public static String canary() {
        StringBuilder sb = new StringBuilder(12);
        sb.append(ALPHA.charAt(RANDOM.nextInt(ALPHA.length())));
        for (int i = 0; i < 11; i++) {
            sb.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
        }
        return sb.toString();
    }

    static String mailFrom(AuditOptions o) {
        String f = o.mailFrom() == null || o.mailFrom().isBlank() ? "" : o.mailFrom().strip();
        return "MAIL FROM:<" + f + ">";
    }

    public TargetReport audit(Target t) {
        long t0 = System.nanoTime();
        Transcript tr = new Transcript();
        ProbeSession first;
        try {
            first = ProbeSession.open(t, opts, tr, true);
        } catch (IOException e) {
            return TargetReport.failed(t, describe(e), tr.lines(), secs(t0));
        }
        String banner = String.join("\n", first.banner().raw());
        List<String> ehloRaw = first.ehloReply().raw();
        List<String> ehlo = first.ehlo();
        List<String> ehloBefore = first.ehloBeforeTls();
        String tls = first.tls();
        String tlsError = first.tlsError();
        List<String> help = new ArrayList<>();
        List<String> seen = new ArrayList<>(first.banner().raw());
        seen.addAll(ehloRaw);
        try {
            SmtpClient.Response h = first.command("HELP");
            if (h != null) {
                help.addAll(h.raw());
                seen.addAll(h.raw());
            }
        } catch (IOException e) {
            tr.note("HELP failed: " + e.getMessage());
        }
        first.quit();

        Map<Method, MethodResult> methods = new EnumMap<>(Method.class);
        // RCPT first: it finds the mail domain, which VRFY/EXPN need on servers that refuse bare names
        tr.note("RCPT oracle");
        String[] domain = new String[1];
        methods.put(Method.RCPT, runRcpt(t, candidates(t, banner, ehloRaw), domain, tr));
        for (Method m : List.of(Method.VRFY, Method.EXPN)) {
            tr.note(m + " oracle");
            MethodResult r = runMethod(t, m, null, tr);
            if (r.negative() != null && r.negative().code() == 501 && domain[0] != null) {
                // e.g. Exim: "501 x: recipient address must contain a domain"; ask again with user@domain
                tr.note(m + " refuses bare names; again with @" + domain[0]);
                r = runMethod(t, m, domain[0], tr);
            }
            methods.put(m, r);
        }
        for (MethodResult r : methods.values()) {
            for (Observation o : r.observations()) {
                if (o.response() != null) {
                    seen.addAll(o.response().raw());
                }
            }
        }

        List<CommandProbe> probes = new ArrayList<>();
        String relay = "not checked";
        if (opts.probeCommands() || opts.relayCheck()) {
            tr.note("probe commands and relay check");
            try (ProbeSession s = ProbeSession.open(t, opts, tr, true)) {
                if (opts.probeCommands()) {
                    probes.addAll(probeCommands(s, domain[0], seen));
                }
                if (opts.relayCheck() && !s.broken()) {
                    relay = relayCheck(s, domain[0]);
                }
                s.quit();
            } catch (IOException e) {
                tr.note("could not reconnect for the command probes: " + e.getMessage());
            }
        }
        Fingerprint fp = Fingerprint.identify(seen);

        List<UserHit> users = List.of();
        List<String> unresolved = List.of();
        EnumerationStats stats = null;
        String enumNote = null;
        if (!opts.users().isEmpty()) {
            MethodResult best = bestMethod(methods);
            if (best == null) {
                enumNote = "not enumerated: no method tells real users from unknown ones";
            } else {
                tr.note("enumerating " + opts.users().size() + " names with " + best.method());
                Enumerator en = new Enumerator(t, opts, best, domain[0], initialBudget(fp), () -> openFor(t, best.method()),
                        progress);
                Enumerator.Result res = en.run(opts.users());
                users = res.hits();
                unresolved = res.unresolved();
                stats = res.stats();
                enumNote = res.error();
            }
        }
        List<TimingTest.Result> timing = new ArrayList<>();
        if (opts.timing()) {
            for (Method m : Method.values()) {
                MethodResult r = methods.get(m);
                if (r.verdict() == Verdict.ANSWERS_252_TO_ALL || r.verdict() == Verdict.DISABLED || r.verdict() == Verdict.CATCH_ALL) {
                    tr.note("timing test on " + m);
                    // VRFY/EXPN in the form the oracle used (bare, or user@domain where bare names were refused)
                    boolean qualified = m == Method.RCPT || (!r.observations().isEmpty() && r.observations().get(0).command().contains("@"));
                    timing.add(timingTest(t, m, qualified ? domain[0] : null, fp));
                }
            }
        }
        TargetReport partial = new TargetReport(t, null, banner, ehlo, ehloBefore, ehloRaw.isEmpty() ? null : ehloRaw.get(0), tls, tlsError, help, fp, methods, domain[0],
                users, unresolved, stats, enumNote, timing, probes, relay, List.of(), tr.lines(), secs(t0));
        return AuditFindings.attach(partial);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connection refused" + (m == null ? "" : " (" + m + ")");
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "timed out" + (m == null ? "" : " (" + m + ")");
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host " + m;
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** VRFY and EXPN before the counters bite; the rest are learned (Enumerator). */
    private static int initialBudget(Fingerprint fp) {
        // sendmail (and Tacit, which copies it) slow VRFY/EXPN down from the 6th per connection (sendmail-privacy.md 9)
        return fp.mta() == Mta.SENDMAIL || fp.mta() == Mta.TACIT ? 5 : Integer.MAX_VALUE;
    }

    private static MethodResult bestMethod(Map<Method, MethodResult> methods) {
        for (Method m : Method.values()) {
            MethodResult r = methods.get(m);
            if (r != null && r.verdict() == Verdict.VERIFIES && r.negative() != null) {
                return r;
            }
        }
        return null;
    }

    private ProbeSession openFor(Target t, Method m) throws IOException {
        ProbeSession s = ProbeSession.open(t, opts, new Transcript(), false);
        if (m == Method.RCPT) {
            SmtpClient.Response r = s.command(mailFrom(opts));
            if (r == null || r.code() != 250) {
                s.close();
                throw new IOException("MAIL FROM refused: " + (r == null ? "connection closed" : r.raw().get(0)));
            }
        }
        return s;
    }

    /** The probes of one method: canaries, postmaster and the known names, interleaved. */
    private List<String[]> plan() {
        List<String[]> plan = new ArrayList<>();
        List<String> known = opts.known();
        plan.add(new String[] {canary(), "CANARY"});
        plan.add(new String[] {"postmaster", "ROLE"});
        for (int i = 1; i < opts.canaries(); i++) {
            if (i - 1 < known.size()) {
                plan.add(new String[] {known.get(i - 1), "KNOWN"});
            }
            plan.add(new String[] {canary(), "CANARY"});
        }
        for (int i = opts.canaries() - 1; i < known.size(); i++) {
            plan.add(new String[] {known.get(i), "KNOWN"});
        }
        return plan;
    }

    private MethodResult runMethod(Target t, Method m, String domain, Transcript tr) {
        List<Observation> obs = new ArrayList<>();
        List<String[]> plan = plan();
        ProbeSession s = null;
        int reconnects = 0;
        try {
            for (int i = 0; i < plan.size(); ) {
                String[] p = plan.get(i);
                if (s == null || s.broken()) {
                    if (s != null) {
                        s.close();
                    }
                    if (reconnects++ > 2) {
                        obs.add(new Observation(p[0], Observation.Kind.valueOf(p[1]), command(m, p[0], domain), null, 0, false));
                        break;
                    }
                    try {
                        s = ProbeSession.open(t, opts, tr, true);
                    } catch (IOException e) {
                        return MethodResult.inconclusive(m, "could not connect: " + describe(e), obs);
                    }
                }
                Observation o = s.probe(p[0], Observation.Kind.valueOf(p[1]), command(m, p[0], domain));
                if (o.timedOut()) {
                    obs.add(o);
                    break;        // a tarpit: do not wait again for every remaining name
                }
                if (o.response() == null || o.code() == 421) {
                    continue;     // reconnect and ask the same name again (a 421 resets the server's counters)
                }
                obs.add(o);
                i++;
            }
            return Oracle.classify(m, obs, opts.slowThreshold());
        } finally {
            if (s != null) {
                s.quit();
            }
        }
    }

    private static String command(Method m, String name, String domain) {
        return switch (m) {
            case VRFY -> "VRFY " + name + (domain == null ? "" : "@" + domain);
            case EXPN -> "EXPN " + name + (domain == null ? "" : "@" + domain);
            case RCPT -> "RCPT TO:<" + name + "@" + domain + ">";
        };
    }

    /** Mail domains to try for RCPT probes, best first. */
    List<String> candidates(Target t, String banner, List<String> ehloRaw) {
        Set<String> c = new LinkedHashSet<>();
        if (opts.domain() != null) {
            c.add(opts.domain());
        }
        if (t.domain() != null) {
            c.add(t.domain());
        }
        for (String line : List.of(ehloRaw.isEmpty() ? "" : ehloRaw.get(0), banner.lines().findFirst().orElse(""))) {
            String[] w = line.length() > 4 ? line.substring(4).strip().split("\\s+") : new String[0];
            if (w.length > 0 && w[0].contains(".") && !w[0].startsWith("[")) {
                String host = w[0].toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
                c.add(host);
                String[] labels = host.split("\\.");
                if (labels.length >= 3) {
                    c.add(host.substring(host.indexOf('.') + 1));
                }
            }
        }
        if (c.isEmpty()) {
            c.add(t.host().contains(":") ? "[IPv6:" + t.host() + "]" : t.host().matches("[0-9.]+") ? "[" + t.host() + "]" : t.host());
        }
        return new ArrayList<>(c).subList(0, Math.min(4, c.size()));
    }

    private MethodResult runRcpt(Target t, List<String> candidates, String[] chosen, Transcript tr) {
        chosen[0] = candidates.get(0);
        List<Observation> obs = new ArrayList<>();
        ProbeSession s;
        try {
            s = ProbeSession.open(t, opts, tr, true);
        } catch (IOException e) {
            return MethodResult.inconclusive(Method.RCPT, "could not connect: " + describe(e), obs);
        }
        try {
            SmtpClient.Response mail = s.command(mailFrom(opts));
            if (mail == null || mail.code() != 250) {
                Observation o = new Observation("", Observation.Kind.ROLE, mailFrom(opts), mail, 0, false);
                if (mail != null && Oracle.authRequired(o)) {
                    return new MethodResult(Method.RCPT, Verdict.AUTH_REQUIRED, "MAIL FROM got " + mail.raw().get(0),
                            List.of(o.evidence()), List.of(o), null, true);
                }
                return MethodResult.inconclusive(Method.RCPT, "MAIL FROM was refused: "
                        + (mail == null ? "connection closed" : mail.raw().get(0)), List.of(o));
            }
            // pick the domain where postmaster is accepted; a relay refusal means "not local here"
            Observation role = null;
            for (String d : candidates) {
                Observation o = s.probe("postmaster", Observation.Kind.ROLE, command(Method.RCPT, "postmaster", d));
                if (o.response() == null) {
                    break;
                }
                if (role == null) {
                    role = o;
                }
                if (o.shape().positive()) {
                    chosen[0] = d;
                    role = o;
                    break;
                }
            }
            if (s.broken()) {
                s.close();
                s = null;
            } else {
                s.command("RSET");
                s.quit();
                s = null;
            }
        } catch (IOException e) {
            s.close();
            return MethodResult.inconclusive(Method.RCPT, "connection lost: " + describe(e), obs);
        }
        tr.note("RCPT probes use the domain " + chosen[0]);
        // the full plan on a fresh connection, with MAIL FROM first
        return runRcptPlan(t, chosen[0], tr);
    }

    private MethodResult runRcptPlan(Target t, String domain, Transcript tr) {
        List<Observation> obs = new ArrayList<>();
        List<String[]> plan = plan();
        ProbeSession s = null;
        int reconnects = 0;
        try {
            for (int i = 0; i < plan.size(); ) {
                String[] p = plan.get(i);
                if (s == null || s.broken()) {
                    if (s != null) {
                        s.close();
                    }
                    if (reconnects++ > 2) {
                        break;
                    }
                    try {
                        s = ProbeSession.open(t, opts, tr, true);
                        SmtpClient.Response mail = s.command(mailFrom(opts));
                        if (mail == null || mail.code() != 250) {
                            continue;
                        }
                    } catch (IOException e) {
                        return MethodResult.inconclusive(Method.RCPT, "could not connect: " + describe(e), obs);
                    }
                }
                Observation o = s.probe(p[0], Observation.Kind.valueOf(p[1]), command(Method.RCPT, p[0], domain));
                if (o.timedOut()) {
                    obs.add(o);
                    break;
                }
                if (o.response() == null || o.code() == 421) {
                    continue;
                }
                obs.add(o);
                i++;
            }
            if (s != null && !s.broken()) {
                try {
                    s.command("RSET");
                } catch (IOException e) {
                    // quit below copes
                }
            }
            return Oracle.classify(Method.RCPT, obs, opts.slowThreshold());
        } finally {
            if (s != null) {
                s.quit();
            }
        }
    }

    /** DEBUG, SHOWQ, WIZ, VERB and ETRN, each compared with a made-up command (sendmail-privacy.md 3.5, 10). */
    private List<CommandProbe> probeCommands(ProbeSession s, String domain, List<String> seen) {
        List<CommandProbe> out = new ArrayList<>();
        String unknownVerb = "X" + canary().substring(0, 6).toUpperCase(Locale.ROOT);
        Observation base = s.probe(unknownVerb, Observation.Kind.CANARY, unknownVerb);
        if (base.response() == null) {
            return out;
        }
        seen.addAll(base.response().raw());
        Shape baseShape = Shape.of(base.response(), unknownVerb);
        for (String line : List.of("DEBUG", "SHOWQ", "WIZ", "VERB", "ETRN " + (domain == null ? "localhost" : domain))) {
            if (s.broken()) {
                break;
            }
            String verb = line.split(" ")[0];
            Observation o = s.probe(verb, Observation.Kind.KNOWN, line);
            if (o.response() == null) {
                out.add(new CommandProbe(line, "(no reply)", true));
                continue;
            }
            seen.addAll(o.response().raw());
            // mask the probe's own words: sendmail echoes the whole line in "Command unrecognized"
            boolean same = Shape.of(o.response(), line).equals(baseShape) || Shape.of(o.response(), verb).equals(baseShape);
            out.add(new CommandProbe(line, o.response().raw().get(0), !same));
        }
        return out;
    }

    /** MAIL and RCPT with addresses outside the server's domains; RSET after, never DATA. */
    private String relayCheck(ProbeSession s, String domain) {
        String outside = domain != null && domain.endsWith("example.org") ? "example.net" : "example.org";
        try {
            s.command("RSET");
            SmtpClient.Response mail = s.command(mailFrom(opts));
            if (mail == null || mail.code() != 250) {
                return "inconclusive: MAIL FROM refused (" + (mail == null ? "closed" : mail.raw().get(0)) + ")";
            }
            SmtpClient.Response rcpt = s.command("RCPT TO:<relay-check-" + canary().substring(0, 6) + "@" + outside + ">");
            s.command("RSET");
            if (rcpt == null) {
                return "inconclusive: connection closed";
            }
            if (rcpt.code() == 250 || rcpt.code() == 251) {
                return "accepted: " + rcpt.raw().get(0);
            }
            if (rcpt.code() >= 400 && rcpt.code() < 500) {
                return "inconclusive: " + rcpt.raw().get(0);
            }
            return "refused: " + rcpt.raw().get(0);
        } catch (IOException e) {
            return "inconclusive: " + describe(e);
        }
    }

    /**
     * Alternates fresh canaries and existing names (the known names, else postmaster) on as many
     * connections as the server's counters allow, and compares the latency distributions.
     */
    private TimingTest.Result timingTest(Target t, Method m, String domain, Fingerprint fp) {
        List<String> real = opts.known().isEmpty() ? List.of("postmaster") : opts.known();
        int n = opts.timingSamples();
        List<Double> can = new ArrayList<>();
        List<Double> kn = new ArrayList<>();
        int budget = initialBudget(fp) == Integer.MAX_VALUE ? 20 : initialBudget(fp) - 1;
        ProbeSession s = null;
        int used = 0;
        int failures = 0;
        try {
            for (int i = 0; i < 2 * n && failures < 10; ) {
                if (s == null || s.broken() || used >= budget) {
                    if (s != null) {
                        s.quit();
                    }
                    try {
                        s = ProbeSession.open(t, opts, new Transcript(), false);
                        used = 0;
                        if (m == Method.RCPT && s.command(mailFrom(opts)) == null) {
                            failures++;
                            continue;
                        }
                    } catch (IOException e) {
                        failures++;
                        continue;
                    }
                }
                boolean isCanary = i % 2 == 0;
                String name = isCanary ? canary() : real.get((i / 2) % real.size());
                Observation o = s.probe(name, Observation.Kind.KNOWN, command(m, name, domain));
                used++;
                if (o.response() == null || o.code() == 421) {
                    failures++;
                    continue;
                }
                (isCanary ? can : kn).add(o.millis());
                i++;
            }
        } finally {
            if (s != null) {
                s.quit();
            }
        }
        return TimingTest.compare(m, can.stream().mapToDouble(Double::doubleValue).toArray(),
                kn.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
