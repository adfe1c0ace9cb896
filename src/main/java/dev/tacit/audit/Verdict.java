package dev.tacit.audit;

/**
 * What the differential oracle concluded about one method on one server. {@link #label()} is the
 * spelling used in every report ({@code 252-TO-ALL} is not a Java name).
 */
public enum Verdict {
    /** Real and unknown names get different answers: users can be enumerated through this method. */
    VERIFIES("VERIFIES"),
    /** Every name, real or not, gets the same non-committal positive answer (RFC 5321 3.5.3, 7.3). */
    ANSWERS_252_TO_ALL("252-TO-ALL"),
    /** The method is refused the same way for every name. */
    DISABLED("DISABLED"),
    /** RCPT accepts any recipient, real or not (reject after acceptance, or an accept-all relay). */
    CATCH_ALL("CATCH-ALL"),
    /** Temporary 4xx answers (greylisting, rate limits) hid the real answer. */
    GREYLISTED("GREYLISTED"),
    /** Replies were delayed past the time limit: the server tarpits the prober. */
    TARPITTED("TARPITTED"),
    /** The server wants AUTH before it answers this method. */
    AUTH_REQUIRED("AUTH-REQUIRED"),
    /** No conclusion; the result's reason says why. */
    INCONCLUSIVE("INCONCLUSIVE");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Verdict parse(String s) {
        for (Verdict v : values()) {
            if (v.label.equalsIgnoreCase(s) || v.name().equalsIgnoreCase(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict: " + s);
    }
}
