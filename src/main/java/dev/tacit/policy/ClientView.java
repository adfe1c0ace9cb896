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

    /** The sender of the current transaction, or null outside one. */
    default String sender() {
        return null;
    }

    /** Whether the client authenticated (AUTH); authenticated clients are trusted. */
    default boolean authenticated() {
        return false;
    }

    /** System.nanoTime() when the current command's line arrived: the start of its latency envelope. */
    long commandStartNanos();

    /** The guard's view of this session's source. */
    SourceState source();

    default boolean heloSeen() {
        return heloName() != null;
    }
}
