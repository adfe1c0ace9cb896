package dev.tacit.delivery;

import java.nio.file.Path;

/**
 * The outcome of one delivery attempt to one target. The status is an RFC 3463 enhanced code and
 * {@code diagnostic} the remote server's reply as received (one line); both go into DSNs (RFC 3464
 * Status and Diagnostic-Code) and the mail log ({@code dsn=}).
 */
public sealed interface DeliveryResult {

    /** The host that answered, for the log ({@code relay=host. [addr]}) and a DSN's Remote-MTA; null if local. */
    record Remote(String host, String address) {
        /** sendmail's relay= form: {@code mx.example.net. [192.0.2.1]}. */
        public String relay() {
            return (host == null ? "" : host + ". ") + "[" + address + "]";
        }
    }

    /** What a success means for a receipt the recipient asked for (RFC 3461 6.2.2). */
    enum Handoff {
        /** Final delivery here (a mailbox): a "delivered" notice. */
        FINAL,
        /** Handed to a server that does not speak DSN: a "relayed" notice. */
        RELAYED,
        /** Handed on with the DSN parameters: the next hop reports, Tacit does not. */
        PASSED_ON
    }

    /** Delivered; {@code syncDir} must be fsync'd before the result is journalled (null if none). */
    record Delivered(Path syncDir, String detail, Remote remote, Handoff handoff) implements DeliveryResult {
        public Delivered(Path syncDir, String detail) {
            this(syncDir, detail, null, Handoff.FINAL);
        }
    }

    /** Try again later. */
    record Temporary(String reason, String status, Remote remote, String diagnostic) implements DeliveryResult {
        public Temporary(String reason) {
            this(reason, "4.0.0", null, null);
        }
    }

    /** Will never succeed. */
    record Permanent(String reason, String status, Remote remote, String diagnostic) implements DeliveryResult {
        public Permanent(String reason) {
            this(reason, "5.0.0", null, null);
        }
    }

    /** A temporary failure as the final word (the queue lifetime ran out): kept as temporary status, 4.4.7. */
    static Permanent expired(Temporary t) {
        return new Permanent("queue lifetime exceeded: " + t.reason(), "4.4.7", t.remote(), t.diagnostic());
    }
}
