package dev.tacit.policy;

import dev.tacit.smtp.Reply;

/**
 * The directory's verdict on a recipient that was answered before the lookup ended (an untrusted
 * client under enumeration_defense): it exists, it is refused (sendmail's reply; {@code 550 5.1.1}
 * is an unknown user), or the lookup failed, which makes the message a temporary failure.
 */
public record RcptCheck(Status status, Reply refusal) {

    public enum Status { KNOWN, REFUSED, FAILED }

    public static final RcptCheck KNOWN = new RcptCheck(Status.KNOWN, null);
    public static final RcptCheck FAILED = new RcptCheck(Status.FAILED, null);

    public static RcptCheck refused(Reply r) {
        return new RcptCheck(Status.REFUSED, r);
    }

    public boolean known() {
        return status == Status.KNOWN;
    }

    /** The name does not exist (as opposed to another refusal). */
    public boolean unknownUser() {
        return status == Status.REFUSED && isUnknownUser(refusal);
    }

    static boolean isUnknownUser(Reply r) {
        return r.code() == 550 && "5.1.1".equals(r.enhanced());
    }
}
