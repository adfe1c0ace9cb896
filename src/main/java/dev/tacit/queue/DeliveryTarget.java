package dev.tacit.queue;

/**
 * One final destination of a queued message, fixed when the message is accepted.
 *
 * @param kind           what delivers it
 * @param value          login (LOCAL), address (REMOTE), command (PROGRAM) or path (FILE)
 * @param mailbox        explicit Maildir folder for LOCAL, or null for {@code <data_dir>/mail/<login>}
 * @param recipientIndex which envelope recipient it came from
 * @param errorsTo       where failures of this target are reported and the envelope sender it is
 *                       delivered with: a list's {@code owner-NAME} when the list has one (sendmail's
 *                       owner- aliases); null for the message's own sender
 */
public record DeliveryTarget(Kind kind, String value, String mailbox, int recipientIndex, String errorsTo) {
    public enum Kind { LOCAL, REMOTE, PROGRAM, FILE }

    public DeliveryTarget(Kind kind, String value, String mailbox, int recipientIndex) {
        this(kind, value, mailbox, recipientIndex, null);
    }

    /** The envelope sender for this target: its list owner, or the message's sender. */
    public String returnPath(Envelope env) {
        return errorsTo != null ? errorsTo : env.sender();
    }
}
