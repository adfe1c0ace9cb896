package dev.tacit.server.command;

import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Target;
import dev.tacit.events.MailLog;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.delivery.DsnWriter;
import dev.tacit.policy.SmtpPolicy;
import dev.tacit.queue.Bouncer;
import dev.tacit.queue.DeliveryTarget;
import dev.tacit.queue.Envelope;
import dev.tacit.queue.Incoming;
import dev.tacit.queue.QueuedMessage;
import dev.tacit.queue.SpoolFullException;
import dev.tacit.policy.Decision;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.LookupLane;
import dev.tacit.server.Session;
import dev.tacit.server.Transaction;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.DataReader;
import dev.tacit.smtp.Replies;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * DATA (RFC 5321 4.1.1.4): 354, the body up to CRLF.CRLF, then 250 only once the message is durable
 * in the spool. A Received: header is prepended (RFC 5321 4.4). A message with a bare CR or LF, an
 * overlong line or too many bytes is read to its end and refused; a client that disconnects
 * mid-DATA leaves nothing behind.
 *
 * <p>Enumeration defence: the verdict on recipients answered before their lookups ended is taken
 * here, after the body ({@link #settleLookups}): a lookup that failed or took too long is 451 4.3.0
 * for the message, no known recipient is one 550 5.1.1 naming no address, and the unknown ones of a
 * message with known ones follow enumeration.unknown_recipients.
 *
 * <p>Config keys: limits.data_timeout, limits.max_data_line, limits.max_message_size,
 * directory.timeout.
 */
public final class DataCommand implements CommandHandler {

    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        Transaction tx = s.state().tx();
        if (tx == null) {
            s.reply(Replies.NEED_MAIL);
            return;
        }
        if (tx.recipients().isEmpty()) {
            s.reply(Replies.NEED_RCPT);
            return;
        }
        var limits = s.config().limits();
        Incoming incoming = s.ctx().spool().begin();
        Instant now = Instant.now();
        SafeSink sink = new SafeSink(incoming);
        sink.write(received(s, tx, incoming.queueId(), now).getBytes(StandardCharsets.UTF_8));
        s.reply(Replies.START_DATA);
        s.flush();
        DataReader.Result r;
        s.setReadTimeout(limits.dataTimeout());
        try {
            r = new DataReader(limits.maxDataLine()).read(s.input(), sink, limits.maxMessageSize());
        } catch (IOException e) {
            incoming.discard();
            s.state().resetTransaction();
            throw e;
        } finally {
            s.setReadTimeout(limits.commandTimeout());
        }
        switch (r.outcome()) {
            case EOF -> {
                incoming.discard();
                s.state().resetTransaction();
                s.mailLog().log(1, MailLog.Priority.NOTICE, s.sessionId(),
                        "lost input channel from " + s.clientName() + " to MTA after data");
                s.sendAndClose(Replies.timeout(s.ctx().hostname()));
                return;
            }
            case TOO_LARGE -> refuse(s, incoming, Replies.sizeExceeded(limits.maxMessageSize()));
            case BARE_NEWLINE -> refuse(s, incoming, Replies.BARE_NEWLINE);
            case LINE_TOO_LONG -> refuse(s, incoming, Replies.dataLineTooLong(limits.maxDataLine()));
            case OK -> {
                if (sink.failure != null) {
                    refuse(s, incoming, storageReply(sink.failure));
                    return;
                }
                if (!settleLookups(s, tx, incoming)) {
                    return;
                }
                if (tx.knownRecipients() == 0) {
                    // enumeration defence: the verdict on recipients moved here; one answer, no address
                    s.mailLog().log(3, MailLog.Priority.NOTICE, incoming.queueId(), "from=" + tx.senderEcho()
                            + ", no valid recipients, message refused, relay=" + s.clientName());
                    refuse(s, incoming, Replies.NO_VALID_RECIPIENTS);
                    return;
                }
                commit(s, tx, incoming, now, r.size());
            }
        }
    }

    /**
     * Before the verdict, the recipients' lookups that were still running when RCPT was answered
     * (enumeration defence) must have ended: one that failed or did not end in time makes the message a
     * temporary failure, 451 4.3.0, as RCPT is for a synchronous lookup; unknown names count as client
     * errors now; a source the lookups got blocked is told 421. False when the message has been refused.
     *
     * <p>In time: directory.timeout for each round of {@link LookupLane#WIDTH} lookups the session has
     * outstanding, this transaction's and any left by a transaction it reset, which run first.
     */
    private static boolean settleLookups(Session s, Transaction tx, Incoming incoming) throws IOException {
        Transaction.Recipient failed;
        try {
            int rounds = Math.max(1, (s.state().pendingLookups() + LookupLane.WIDTH - 1) / LookupLane.WIDTH);
            failed = tx.settle(s.config().directory().timeout().multipliedBy(rounds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            incoming.discard();
            s.state().resetTransaction();
            throw new IOException("interrupted");
        }
        if (failed != null) {
            s.mailLog().log(0, MailLog.Priority.ERR, incoming.queueId(), "directory unavailable: no answer for " + failed.echo());
            refuse(s, incoming, Replies.lookupFailed(failed.echo()));
            return false;
        }
        for (int n = tx.collectRefused(); n > 0; n--) {
            if (s.countError()) {
                incoming.discard();
                s.state().resetTransaction();
                return false;
            }
        }
        Decision blocked = s.ctx().policy().blocked(s);
        if (blocked != null) {
            incoming.discard();
            s.state().resetTransaction();
            s.apply(blocked);
            return false;
        }
        return true;
    }

    private static void refuse(Session s, Incoming incoming, dev.tacit.smtp.Reply reply) throws IOException {
        incoming.discard();
        s.state().resetTransaction();
        s.reply(reply);
    }

    private static dev.tacit.smtp.Reply storageReply(IOException e) {
        // the spool classifies ENOSPC and EDQUOT alike, for the journal and for a body file
        return e instanceof SpoolFullException ? Replies.STORAGE_FULL : Replies.LOCAL_ERROR;
    }

    private static void commit(Session s, Transaction tx, Incoming incoming, Instant now, long size) throws IOException {
        List<String> rcpts = new ArrayList<>();
        List<String> rcptParams = new ArrayList<>();
        List<Bouncer.Notice> undeliverable = new ArrayList<>();
        List<DeliveryTarget> targets = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Transaction.Recipient> known = new ArrayList<>();
        List<Transaction.Recipient> unknown = new ArrayList<>();
        for (Transaction.Recipient rc : tx.recipients()) {
            (rc.known() ? known : unknown).add(rc);
        }
        boolean report = !unknown.isEmpty() && s.ctx().policy().reportUnknownTo(s, incoming.queueId(), tx.sender());
        for (Transaction.Recipient rc : unknown) {
            dev.tacit.smtp.Reply why = rc.refusalOrUnknown();
            s.mailLog().log(3, MailLog.Priority.NOTICE, incoming.queueId(), why.text() + (report ? "" : " (dropped)"));
            if (report) {
                String status = why.enhanced() == null ? "5.0.0" : why.enhanced();
                int cut = why.text().lastIndexOf("... ");
                String text = cut < 0 ? why.text() : why.text().substring(cut + 4);
                undeliverable.add(new Bouncer.Notice(rc.address().toString(), rc.dsn(), null, null, DsnWriter.Action.FAILED, status, null,
                        why.code() + " " + status + " " + why.text(), text));
            }
        }
        for (int i = 0; i < known.size(); i++) {
            Transaction.Recipient rc = known.get(i);
            rcpts.add(rc.address().toString());
            rcptParams.add(rc.dsn());
            SmtpPolicy.DeliveryPlan plan;
            try {
                plan = s.ctx().policy().deliveryPlan(incoming.queueId(), rc.address());
            } catch (DirectoryUnavailableException e) {
                s.mailLog().log(0, MailLog.Priority.ERR, incoming.queueId(), "directory unavailable: " + e.getMessage());
                refuse(s, incoming, Replies.lookupFailed(rc.echo()));
                return;
            }
            for (SmtpPolicy.Undeliverable u : plan.undeliverable()) {
                // a list member that does not exist: reported to the list's owner or the sender, as sendmail does
                undeliverable.add(new Bouncer.Notice(rc.address().toString(), rc.dsn(), u.typed(), u.owner(), DsnWriter.Action.FAILED,
                        u.error().enhanced() == null ? "5.0.0" : u.error().enhanced(), null,
                        u.error().code() + " " + (u.error().enhanced() == null ? "" : u.error().enhanced() + " ") + u.error().text(),
                        u.error().text()));
            }
            for (SmtpPolicy.Planned planned : plan.targets()) {
                DeliveryTarget dt = target(planned.target(), i, planned.owner());
                // One copy per final recipient, however many aliases lead to it.
                if (seen.add(dt.kind() + ":" + dt.value().toLowerCase(Locale.ROOT))) {
                    targets.add(dt);
                }
            }
        }
        if (s.source().discard()) {
            // a rule set said $#discard for this envelope: answer as for any message, deliver nothing
            s.source().clearDiscard();
            incoming.discard();
            s.mailLog().log(3, MailLog.Priority.NOTICE, incoming.queueId(), "from=" + tx.senderEcho() + ", discarded by rule set");
            s.state().resetTransaction();
            s.reply(Replies.accepted(incoming.queueId()));
            return;
        }
        Envelope env = new Envelope(tx.sender(), tx.params(), s.clientName(), rcpts, targets, now, rcptParams);
        QueuedMessage m;
        try {
            m = s.ctx().spool().commit(incoming, env);
        } catch (IOException e) {
            s.mailLog().log(0, MailLog.Priority.ERR, incoming.queueId(), "cannot queue message: " + e.getMessage());
            s.state().resetTransaction();
            s.reply(storageReply(e));
            return;
        }
        s.state().countMessage();
        s.ctx().metrics().messageAccepted();
        s.mailLog().log(4, MailLog.Priority.INFO, m.queueId(), "from=" + tx.senderEcho() + ", size=" + size + ", class=0, nrcpts="
                + rcpts.size() + ", proto=" + s.protocol(false) + ", daemon=MTA, relay=" + s.clientName());
        if (!undeliverable.isEmpty()) {
            try {
                s.ctx().runner().reportUndeliverable(m, undeliverable);
            } catch (RuntimeException e) {
                s.mailLog().log(0, MailLog.Priority.ERR, m.queueId(), "cannot queue the delivery report: " + e.getMessage());
            }
        }
        s.state().resetTransaction();
        s.reply(Replies.accepted(m.queueId()));
        s.ctx().runner().submit(m);
    }

    /** The spool's form of an expanded target; {@code owner}: a list's owner-NAME its errors go to. */
    public static DeliveryTarget target(Target t, int recipientIndex, String owner) {
        return switch (t) {
            case Target.Local l -> new DeliveryTarget(DeliveryTarget.Kind.LOCAL, l.user().login(),
                    l.user().mailbox() == null ? null : l.user().mailbox().toString(), recipientIndex, owner);
            case Target.Remote rm -> new DeliveryTarget(DeliveryTarget.Kind.REMOTE, rm.address(), null, recipientIndex, owner);
            case Target.Program p -> new DeliveryTarget(DeliveryTarget.Kind.PROGRAM, p.command(), null, recipientIndex, owner);
            case Target.File f -> new DeliveryTarget(DeliveryTarget.Kind.FILE, f.path(), null, recipientIndex, owner);
        };
    }

    /** RFC 5321 4.4 trace header; names a recipient only when there is exactly one (no Bcc leak). */
    static String received(Session s, Transaction tx, String qid, Instant now) {
        String helo = s.state().helo() == null ? s.clientName() : s.state().helo();
        String proto = s.protocol(tx.smtputf8());
        StringBuilder sb = new StringBuilder(200);
        sb.append("Received: from ").append(helo).append(" (").append(s.clientName()).append(")\r\n");
        sb.append("\tby ").append(s.ctx().hostname()).append(" with ").append(proto).append(" id ").append(qid);
        if (s.tlsSession() != null) {
            // sendmail's TLS comment; the client presented no certificate Tacit checked
            sb.append("\r\n\t(version=").append(s.tlsSession().getProtocol()).append(" cipher=").append(s.tlsSession().getCipherSuite())
                    .append(" verify=NO)");
        }
        if (tx.recipients().size() == 1) {
            sb.append("\r\n\tfor <").append(tx.recipients().get(0).address().toString()).append(">");
        }
        sb.append("; ").append(RFC5322.format(ZonedDateTime.ofInstant(now, ZoneId.systemDefault()))).append("\r\n");
        if (s.state().helo() == null && s.ctx().policy().privacy().has(PrivacyOptions.Flag.AUTHWARNINGS)) {
            // sendmail's authwarnings: mark a message whose client never introduced itself
            sb.append("X-Authentication-Warning: ").append(MailCommand.shortHost(s.ctx().hostname())).append(": ")
                    .append(s.clientName()).append(" didn't use HELO protocol\r\n");
        }
        return sb.toString();
    }

    /** Keeps reading the body when the spool cannot take it, so the reply can still be sent in sync. */
    private static final class SafeSink extends OutputStream {
        private final OutputStream target;
        IOException failure;

        SafeSink(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failure != null) {
                return;
            }
            try {
                target.write(b, off, len);
            } catch (IOException e) {
                failure = e;
            }
        }
    }
}
