package dev.tacit.server;

/**
 * What a listening address is for. MTA: mail from anywhere (RFC 5321; STARTTLS offered when a
 * certificate is configured, AUTH only if auth.on_listen). SUBMISSION: RFC 6409 on port 587, STARTTLS
 * then AUTH before MAIL. SUBMISSIONS: RFC 8314 implicit TLS on port 465, AUTH before MAIL.
 *
 * <p>Config keys: listen, submission, submissions.
 */
public enum ListenerRole {
    MTA, SUBMISSION, SUBMISSIONS;

    /** Whether MAIL needs an authenticated client here (RFC 6409 4.1, RFC 4954 6: 530). */
    public boolean requiresAuth() {
        return this != MTA;
    }

    /** Whether TLS starts with the connection, before the greeting. */
    public boolean implicitTls() {
        return this == SUBMISSIONS;
    }
}
