package dev.tacit.events;

import java.time.Instant;

/**
 * One probe-relevant command and what was decided, for tools (one JSON line each).
 *
 * @param decision short word: answered, refused, rejected-by-ruleset, unknown-command, ...
 */
public record ProbeEvent(Instant time, String clientAddress, String clientName, String helo, String command, String argument,
        String decision, int replyCode) {}
