package dev.tacit.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the spool keeps besides the body.
 *
 * @param sender      the reverse path without brackets, "" for the null sender
 * @param params      the MAIL parameters as given (BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=...)
 * @param client      the client as logged, {@code name [ip]}
 * @param recipients  the accepted RCPT addresses as given
 * @param targets     the final destinations after alias expansion, duplicates removed
 * @param rcptParams  per recipient, its RCPT parameters as given (NOTIFY=... ORCPT=...), "" for none
 */
public record Envelope(String sender, String params, String client, List<String> recipients, List<DeliveryTarget> targets,
        Instant arrival, List<String> rcptParams) {

    public Envelope {
        recipients = List.copyOf(recipients);
        targets = List.copyOf(targets);
        List<String> p = new ArrayList<>(rcptParams == null ? List.of() : rcptParams);
        while (p.size() < recipients.size()) {
            p.add("");
        }
        rcptParams = List.copyOf(p.subList(0, recipients.size()));
    }

    public Envelope(String sender, String params, String client, List<String> recipients, List<DeliveryTarget> targets,
            Instant arrival) {
        this(sender, params, client, recipients, targets, arrival, List.of());
    }

    /** The RCPT parameters of the recipient a target came from. */
    public String rcptParams(DeliveryTarget t) {
        int i = t.recipientIndex();
        return i >= 0 && i < rcptParams.size() ? rcptParams.get(i) : "";
    }

    /** The envelope recipient a target came from (RFC 3464's Final-Recipient). */
    public String recipient(DeliveryTarget t) {
        int i = t.recipientIndex();
        return i >= 0 && i < recipients.size() ? recipients.get(i) : t.value();
    }
}
