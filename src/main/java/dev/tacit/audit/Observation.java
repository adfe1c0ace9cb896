package dev.tacit.audit;

import dev.tacit.smtp.SmtpClient;

/**
 * One probe of one name with one method, as the oracle weighs it.
 *
 * @param name     the name probed (local part)
 * @param kind     why it was probed
 * @param command  the command line sent
 * @param response the reply, or null when the connection closed or timed out
 * @param nanos    round-trip time
 * @param timedOut no reply within the read timeout
 */
public record Observation(String name, Kind kind, String command, SmtpClient.Response response, long nanos, boolean timedOut) {

    /** Canary: a random name that cannot exist. ROLE: postmaster (RFC 5321 4.5.1). KNOWN: given by the user. */
    public enum Kind { CANARY, ROLE, KNOWN }

    public Shape shape() {
        return Shape.of(response, name);
    }

    public int code() {
        return response == null ? -1 : response.code();
    }

    /** The exchange as transcript lines, "C: ..." then "S: ...". */
    public String evidence() {
        StringBuilder sb = new StringBuilder("C: ").append(command);
        if (response == null) {
            sb.append(timedOut ? "\nS: (no reply: timed out)" : "\nS: (connection closed)");
        } else {
            for (String raw : response.raw()) {
                sb.append("\nS: ").append(raw);
            }
        }
        return sb.toString();
    }

    public double millis() {
        return nanos / 1e6;
    }
}
