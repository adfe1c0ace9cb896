package dev.tacit.audit;

import java.util.List;

/**
 * The oracle's conclusion for one method on one target.
 *
 * @param verdict      the verdict
 * @param reason       one sentence: the replies that led to it
 * @param evidence     transcript excerpts ("C: VRFY x\nS: 550 ...") that show it
 * @param observations every probe weighed (kept for enumeration and timing, not all reported)
 * @param negative     the shape unknown names get (null when there was none)
 * @param compareText  whether reply text (not only codes) separates real from unknown names
 */
public record MethodResult(Method method, Verdict verdict, String reason, List<String> evidence,
                           List<Observation> observations, Shape negative, boolean compareText) {

    public MethodResult {
        evidence = List.copyOf(evidence);
        observations = List.copyOf(observations);
    }

    public static MethodResult inconclusive(Method m, String reason, List<Observation> obs) {
        return new MethodResult(m, Verdict.INCONCLUSIVE, reason,
                obs.stream().limit(3).map(Observation::evidence).toList(), obs, null, false);
    }

    /** Whether a name's reply tells that the name exists (for enumeration), given this result. */
    public boolean separates(Shape s) {
        if (negative == null || s.code() < 0 || s.transientFailure()) {
            return false;
        }
        return compareText ? !s.equals(negative) : !s.sameCodes(negative);
    }
}
