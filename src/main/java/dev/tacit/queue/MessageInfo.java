package dev.tacit.queue;

import java.time.Instant;
import java.util.List;

/** A read-only view of one queued message, for {@code tacit mailq}. */
public record MessageInfo(String queueId, long size, Instant arrival, String sender, List<String> recipients,
        List<String> pending, String lastError) {}
