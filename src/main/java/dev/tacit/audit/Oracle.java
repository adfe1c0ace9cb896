package dev.tacit.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The differential oracle: turns the replies a server gave for random canaries, postmaster and
 * user-supplied names into a {@link Verdict}. A pure function of the observations, no I/O.
 *
 * <p>Why differential: the same code means different things on different servers (peers.md 1.5).
 * Postfix answers 252 for a real user and 550 for an unknown one; sendmail novrfy, Exim and
 * Exchange answer 252 to every name. Only comparing names that cannot exist with names that must
 * (postmaster, RFC 5321 4.5.1) tells the cases apart. Reply text is compared with the probed name
 * masked; when the canaries' texts differ among themselves (a server that echoes a session id), only
 * codes are compared.
 */
public final class Oracle {

    private Oracle() {}

    public static MethodResult classify(Method method, List<Observation> obs, Duration slowThreshold) {
        if (obs.isEmpty()) {
            return MethodResult.inconclusive(method, "no probe could be sent", obs);
        }
        List<Observation> timedOut = obs.stream().filter(Observation::timedOut).toList();
        if (!timedOut.isEmpty()) {
            return result(method, Verdict.TARPITTED, timedOut.size() + " of " + obs.size()
                    + " probes got no reply within the time limit", obs, timedOut, null, true);
        }
        List<Observation> closed = obs.stream().filter(o -> o.response() == null).toList();
        if (!closed.isEmpty()) {
            return MethodResult.inconclusive(method, "the server closed the connection instead of answering "
                    + closed.get(0).command(), obs);
        }
        if (obs.stream().allMatch(Oracle::authRequired)) {
            return result(method, Verdict.AUTH_REQUIRED, "every name got " + first(obs.get(0)), obs, obs.subList(0, 1), null, true);
        }
        List<Observation> canaries = of(obs, Observation.Kind.CANARY);
        List<Observation> roles = of(obs, Observation.Kind.ROLE);
        List<Observation> known = of(obs, Observation.Kind.KNOWN);
        if (canaries.isEmpty()) {
            return MethodResult.inconclusive(method, "no random name was answered", obs);
        }
        if (canaries.stream().allMatch(o -> o.shape().transientFailure())) {
            boolean allTransient = obs.stream().allMatch(o -> o.shape().transientFailure());
            String why = allTransient
                    ? "every name got a temporary failure: " + first(canaries.get(0))
                    : "unknown names got temporary failures (" + first(canaries.get(0)) + ") while others did not; retry later";
            return result(method, Verdict.GREYLISTED, why, obs, canaries.subList(0, 1), null, true);
        }
        Set<Shape> canaryShapes = canaries.stream().map(Observation::shape).collect(Collectors.toCollection(LinkedHashSet::new));
        boolean compareText = true;
        if (canaryShapes.size() > 1) {
            Shape c0 = canaryShapes.iterator().next();
            if (canaryShapes.stream().allMatch(s -> s.sameCodes(c0))) {
                compareText = false;
            } else {
                return MethodResult.inconclusive(method, "random names were answered differently from each other: "
                        + canaries.stream().map(Oracle::first).distinct().collect(Collectors.joining(" / ")), obs);
            }
        }
        Shape negative = canaries.get(0).shape();
        boolean byText = compareText;
        List<Observation> knownDiffer = differing(known, negative, byText);
        List<Observation> roleDiffer = differing(roles, negative, byText);
        boolean slow = obs.stream().allMatch(o -> o.nanos() >= slowThreshold.toNanos());
        String slowNote = slow ? String.format(Locale.ROOT, " (replies delayed %.1f s on average)", meanSeconds(obs)) : "";

        if (!knownDiffer.isEmpty()) {
            Observation k = knownDiffer.get(0);
            List<Observation> ev = new ArrayList<>(knownDiffer);
            ev.add(canaries.get(0));
            return result(method, Verdict.VERIFIES, "known name " + k.name() + " got " + first(k) + ", random names got "
                    + first(canaries.get(0)) + slowNote, obs, ev, negative, byText);
        }
        if (!roleDiffer.isEmpty() && known.isEmpty()) {
            Observation r = roleDiffer.get(0);
            return result(method, Verdict.VERIFIES, r.name() + " got " + first(r) + ", random names got "
                    + first(canaries.get(0)) + slowNote, obs, List.of(r, canaries.get(0)), negative, byText);
        }
        String roleNote = roleDiffer.isEmpty() ? "" : "; only " + roleDiffer.get(0).name() + " was answered differently ("
                + first(roleDiffer.get(0)) + "), the known names were not";
        if (slow) {
            return result(method, Verdict.TARPITTED, "every name got " + first(canaries.get(0)) + slowNote + roleNote,
                    obs, canaries.subList(0, 1), negative, byText);
        }
        if (negative.positive()) {
            Verdict v = method == Method.RCPT ? Verdict.CATCH_ALL : Verdict.ANSWERS_252_TO_ALL;
            return result(method, v, "every name, real or random, got " + first(canaries.get(0)) + roleNote,
                    obs, sample(canaries, roles), negative, byText);
        }
        if (method == Method.RCPT) {
            return MethodResult.inconclusive(method, "every recipient was refused, postmaster too (" + first(canaries.get(0))
                    + "); the domain may not be local to this server: give --domain", obs);
        }
        return result(method, Verdict.DISABLED, "every name got " + first(canaries.get(0)) + roleNote,
                obs, sample(canaries, roles), negative, byText);
    }

    static boolean authRequired(Observation o) {
        if (o.response() == null) {
            return false;
        }
        int c = o.code();
        String text = o.response().text().toLowerCase(Locale.ROOT);
        return c == 530 || (c >= 500 && "5.7.0".equals(o.response().enhanced()) && text.contains("auth"));
    }

    private static List<Observation> differing(List<Observation> list, Shape negative, boolean byText) {
        return list.stream().filter(o -> {
            Shape s = o.shape();
            if (s.transientFailure()) {
                return false;
            }
            return byText ? !s.equals(negative) : !s.sameCodes(negative);
        }).toList();
    }

    private static List<Observation> of(List<Observation> obs, Observation.Kind kind) {
        return obs.stream().filter(o -> o.kind() == kind).toList();
    }

    private static List<Observation> sample(List<Observation> canaries, List<Observation> roles) {
        List<Observation> out = new ArrayList<>(canaries.subList(0, 1));
        if (!roles.isEmpty()) {
            out.add(roles.get(0));
        }
        return out;
    }

    private static double meanSeconds(List<Observation> obs) {
        return obs.stream().mapToLong(Observation::nanos).average().orElse(0) / 1e9;
    }

    /** The first reply line as received, code included. */
    static String first(Observation o) {
        if (o.response() == null) {
            return "(no reply)";
        }
        String raw = o.response().raw().isEmpty() ? String.valueOf(o.code()) : o.response().raw().get(0);
        return "\"" + raw + "\"" + (o.response().raw().size() > 1 ? " (+" + (o.response().raw().size() - 1) + " lines)" : "");
    }

    private static MethodResult result(Method m, Verdict v, String reason, List<Observation> obs, List<Observation> ev,
                                       Shape negative, boolean byText) {
        return new MethodResult(m, v, reason, ev.stream().map(Observation::evidence).toList(), obs, negative, byText);
    }
}
