package dev.tacit.queue;

import dev.tacit.delivery.DeliveryResult;
import dev.tacit.delivery.DsnWriter;
import dev.tacit.smtp.DsnParameters;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns delivery outcomes into delivery status notifications (RFC 3464) and queues them like any
 * other message: to the envelope sender, or to a list's owner for the list's members (sendmail's
 * {@code owner-NAME}), one report per message and address.
 *
 * <p>Rules (RFC 3461 and sendmail's PrivacyOptions): a failure is reported unless the recipient said
 * NOTIFY=NEVER or a NOTIFY without FAILURE; a success only when it asked for NOTIFY=SUCCESS and
 * {@code noreceipts} is off; delays are not reported. A report never goes to the null sender, and
 * every report is sent with the null sender, so a report about a report cannot happen (no loops).
 * The original comes back whole unless it asked for RET=HDRS or {@code nobodyreturn} is set; then
 * only its header does. {@code noactualrecipient} drops X-Actual-Recipient.
 *
 * <p>Crash safety: the runner queues reports before it journals the outcomes they describe, so a
 * crash in between sends a report twice, never zero times.
 */
public final class Bouncer {

    private static final Logger log = LoggerFactory.getLogger(Bouncer.class);

    /** PrivacyOptions that shape reports. */
    public record Settings(String hostname, boolean noBodyReturn, boolean noReceipts, boolean noActualRecipient) {}

    /** One recipient to report on. {@code returnTo} null: the message's envelope sender. */
    public record Notice(String finalRecipient, String rcptParams, String actualRecipient, String returnTo, DsnWriter.Action action,
            String status, DeliveryResult.Remote remote, String diagnostic, String reason) {}

    private final Spool spool;
    private final Settings settings;
    private final Function<String, List<DeliveryTarget>> resolver;
    private final Clock clock;
    private final Logged logged;

    /** Where "DSN sent" lines go (the mail log). */
    @FunctionalInterface
    public interface Logged {
        void dsn(String originalQueueId, String dsnQueueId, String returnTo, String summary);
    }

    /**
     * @param resolver where a report for an address goes: its delivery targets (local users through
     *                 the directory, remote addresses as REMOTE targets); never empty for a valid address
     */
    public Bouncer(Spool spool, Settings settings, Function<String, List<DeliveryTarget>> resolver, Clock clock, Logged logged) {
        this.spool = spool;
        this.settings = settings;
        this.resolver = resolver;
        this.clock = clock;
        this.logged = logged;
    }

    /** A notice for one target's outcome, or null when that outcome is never reported. */
    public Notice notice(QueuedMessage m, DeliveryTarget t, DeliveryResult r, String localAddress) {
        Envelope env = m.envelope();
        if (r instanceof DeliveryResult.Delivered && (settings.noReceipts() || env.rcptParams(t).isEmpty())) {
            return null; // the common case: nobody asked for a receipt
        }
        String actual = t.kind() == DeliveryTarget.Kind.LOCAL ? localAddress : t.value();
        String fin = env.recipient(t);
        return switch (r) {
            case DeliveryResult.Permanent p -> new Notice(fin, env.rcptParams(t), actual, t.errorsTo(), DsnWriter.Action.FAILED,
                    p.status(), p.remote(), p.diagnostic(), p.reason());
            case DeliveryResult.Delivered d -> switch (d.handoff()) {
                case PASSED_ON -> null; // the next hop has the DSN parameters and reports itself
                case RELAYED -> new Notice(fin, env.rcptParams(t), actual, t.errorsTo(), DsnWriter.Action.RELAYED, "2.0.0", d.remote(),
                        null, "relayed to a mailer that does not report delivery");
                case FINAL -> new Notice(fin, env.rcptParams(t), actual, t.errorsTo(), DsnWriter.Action.DELIVERED, "2.0.0", d.remote(),
                        null, "delivered to mailbox");
            };
            case DeliveryResult.Temporary tmp -> null;
        };
    }

    /**
     * Queues the reports these notices call for, handing each to {@code queued} as soon as the spool
     * holds it (the caller gives them to the runner). Notices nobody asked for are dropped here.
     *
     * @throws java.io.UncheckedIOException when a report cannot be queued (spool or directory
     *         failure); the caller must then not journal the outcomes, so they are reported later.
     *         Reports queued before the failure have already gone to {@code queued}: they are in the
     *         spool, and a returned list lost with the exception would leave them there undelivered
     *         until a restart.
     */
    public void send(QueuedMessage original, List<Notice> notices, Consumer<QueuedMessage> queued) {
        Envelope env = original.envelope();
        Map<String, List<Notice>> byReturn = new LinkedHashMap<>();
        for (Notice n : notices) {
            if (n == null || !wanted(n)) {
                continue;
            }
            String to = n.returnTo() != null ? n.returnTo() : env.sender();
            byReturn.computeIfAbsent(to, k -> new ArrayList<>()).add(n);
        }
        for (Map.Entry<String, List<Notice>> e : byReturn.entrySet()) {
            String to = e.getKey();
            if (to.isEmpty()) {
                // RFC 3461 6.2 / RFC 5321 4.5.5: never a report to the null sender
                logged.dsn(original.queueId(), null, "<>", "no report: the message has the null sender");
                continue;
            }
            // a failure report and a success report are separate messages, as sendmail sends them
            List<Notice> failures = e.getValue().stream().filter(n -> n.action() == DsnWriter.Action.FAILED).toList();
            List<Notice> successes = e.getValue().stream().filter(n -> n.action() != DsnWriter.Action.FAILED).toList();
            for (List<Notice> group : List.of(failures, successes)) {
                if (group.isEmpty()) {
                    continue;
                }
                try {
                    QueuedMessage q = queue(original, to, group);
                    if (q != null) {
                        logged.dsn(original.queueId(), q.queueId(), to, summary(group));
                        queued.accept(q);
                    }
                } catch (IOException ex) {
                    // the caller does not journal the outcomes either: the attempt (and its report) comes again
                    log.error("{}: cannot queue the delivery report for {}: {}", original.queueId(), to, ex.toString());
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        }
    }

    private boolean wanted(Notice n) {
        DsnParameters.Recipient p = DsnParameters.recipient(n.rcptParams());
        return switch (n.action()) {
            case FAILED -> p.onFailure();
            case DELIVERED, RELAYED -> p.onSuccess() && !settings.noReceipts();
            case DELAYED, EXPANDED -> false;
        };
    }

    private static String summary(List<Notice> group) {
        Notice first = group.get(0);
        String what = first.action() == DsnWriter.Action.FAILED ? (first.reason() == null ? first.status() : first.reason())
                : "return receipt";
        return what + (group.size() > 1 ? " (and " + (group.size() - 1) + " more)" : "");
    }

    private QueuedMessage queue(QueuedMessage original, String to, List<Notice> group) throws IOException {
        List<DeliveryTarget> targets = resolver.apply(to);
        if (targets.isEmpty()) {
            log.warn("{}: the delivery report for {} has nowhere to go", original.queueId(), to);
            return null;
        }
        Envelope env = original.envelope();
        DsnParameters.Mail mail = DsnParameters.mail(env.params());
        boolean eightBit = hasWord(env.params(), "BODY=8BITMIME") || hasWord(env.params(), "SMTPUTF8");
        Instant now = clock.instant();
        List<DsnWriter.Entry> entries = new ArrayList<>();
        for (Notice n : group) {
            DsnParameters.Recipient p = DsnParameters.recipient(n.rcptParams());
            String actual = settings.noActualRecipient() || n.actualRecipient() == null
                    || n.actualRecipient().equalsIgnoreCase(n.finalRecipient()) ? null : n.actualRecipient();
            entries.add(new DsnWriter.Entry(n.finalRecipient(), p.originalRecipient(), actual, n.action(), n.status(),
                    remoteMta(n.remote()), n.diagnostic(), n.reason(), now));
        }
        Incoming in = spool.begin();
        DsnWriter.Info info = new DsnWriter.Info(settings.hostname(), to, env.client(), env.arrival(), mail.envidDecoded(),
                in.queueId() + "@" + settings.hostname(), eightBit);
        DsnWriter.Returned ret = settings.noBodyReturn() || mail.headersOnly() ? DsnWriter.Returned.HEADERS : DsnWriter.Returned.FULL;
        try (InputStream body = spool.openBody(original)) {
            DsnWriter.write(in, info, entries, body, ret);
        } catch (IOException e) {
            in.discard();
            throw e;
        }
        List<DeliveryTarget> indexed = new ArrayList<>();
        for (DeliveryTarget t : targets) {
            indexed.add(new DeliveryTarget(t.kind(), t.value(), t.mailbox(), 0, null));
        }
        List<String> params = new ArrayList<>();
        if (eightBit) {
            params.add("BODY=8BITMIME");
        }
        if (!to.chars().allMatch(c -> c < 128)) {
            params.add("SMTPUTF8");
        }
        Envelope dsn = new Envelope("", String.join(" ", params), "localhost", List.of(to), indexed, now);
        return spool.commit(in, dsn);
    }

    /** RFC 3464 Remote-MTA: the host's name, or its address literal when it has none. */
    private static String remoteMta(DeliveryResult.Remote r) {
        if (r == null) {
            return null;
        }
        return r.host() != null ? r.host() : "[" + r.address() + "]";
    }

    private static boolean hasWord(String params, String word) {
        for (String w : params.split(" ")) {
            if (w.toUpperCase(Locale.ROOT).equals(word)) {
                return true;
            }
        }
        return false;
    }
}
