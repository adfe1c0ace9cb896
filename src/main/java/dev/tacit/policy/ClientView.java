package dev.tacit.policy;

import java.net.InetAddress;

/** What the policy may know about the client of a session. Implemented by the server's session. */
public interface ClientView {

    InetAddress address();

    /** sendmail's {@code $_}: {@code name [ip]} or {@code [ip]}. */
    String clientName();

    /** The HELO/EHLO name, or null before HELO/EHLO. */
    String heloName();

    /** The session's queue id, the prefix of its log lines. */
    String sessionId();

    default boolean heloSeen() {
        return heloName() != null;
    }
}
