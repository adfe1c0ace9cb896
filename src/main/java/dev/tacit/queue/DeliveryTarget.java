package dev.tacit.queue;

/**
 * One final destination of a queued message, fixed when the message is accepted.
 *
 * @param kind           what delivers it
 * @param value          login (LOCAL), address (REMOTE), command (PROGRAM) or path (FILE)
 * @param mailbox        explicit Maildir folder for LOCAL, or null for {@code <data_dir>/mail/<login>}
 * @param recipientIndex which envelope recipient it came from
 */
public record DeliveryTarget(Kind kind, String value, String mailbox, int recipientIndex) {
    public enum Kind { LOCAL, REMOTE, PROGRAM, FILE }
}
