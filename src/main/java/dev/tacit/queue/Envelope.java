package dev.tacit.queue;

import java.time.Instant;
import java.util.List;

/**
 * What the spool keeps besides the body.
 *
 * @param sender     the reverse path without brackets, "" for the null sender
 * @param params     the MAIL parameters as given (BODY=8BITMIME SMTPUTF8 ...)
 * @param client     the client as logged, {@code name [ip]}
 * @param recipients the accepted RCPT addresses as given
 * @param targets    the final destinations after alias expansion, duplicates removed
 */
public record Envelope(String sender, String params, String client, List<String> recipients, List<DeliveryTarget> targets,
        Instant arrival) {
    public Envelope {
        recipients = List.copyOf(recipients);
        targets = List.copyOf(targets);
    }
}
