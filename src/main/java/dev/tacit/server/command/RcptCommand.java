package dev.tacit.server.command;

import dev.tacit.events.MailLog;
import dev.tacit.policy.RcptOutcome;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.server.Transaction;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.DsnParameters;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.PathArgument;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.io.IOException;

/**
 * RCPT TO (RFC 5321 4.1.1.3) with the DSN parameters NOTIFY and ORCPT (RFC 3461). Syntax and limits
 * are checked here; whether the recipient is accepted is the policy's decision. When the policy
 * answers before the directory has (enumeration defence), the recipient joins the transaction with
 * its pending lookup, and lookups that have ended since the last RCPT count now (BadRcptThrottle,
 * the error limits).
 */
public final class RcptCommand implements CommandHandler {

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        Transaction tx = s.state().tx();
        if (tx == null) {
            s.reply(Replies.NEED_MAIL_BEFORE_RCPT);
            return;
        }
        // an unknown name accepted for uniformity counts as a client error once its lookup has said so
        for (int n = tx.collectRefused(); n > 0; n--) {
            if (s.countError()) {
                return;
            }
        }
        PathArgument.Result p = PathArgument.parse(cmd.argument(), "TO", PathArgument.Kind.RECIPIENT);
        if (!p.ok()) {
            tx.countRejected();
            s.reply(p.error());
            return;
        }
        // NOTIFY and ORCPT (RFC 3461 4.1, 4.2) are the only RCPT parameters; kept as given for the spool
        for (var e : p.params().entrySet()) {
            Reply bad = DsnParameters.checkRcpt(e.getKey(), e.getValue(), s.ctx().policy().dsnOffered());
            if (bad != null) {
                s.reply(bad);
                return;
            }
        }
        String dsn = String.join(" ", p.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        MailAddress a = p.address();
        if (a.isUtf8() && !tx.smtputf8()) {
            s.reply(Replies.needsSmtputf8(p.echo()));
            return;
        }
        // every local domain names the same mailbox: gw, gw@example.com and GW@mail.example.com are one
        boolean local = !a.hasDomain() || s.ctx().domains().isLocal(a.domain());
        String canonical = a.localPart() + "@" + (local ? s.ctx().hostname() : a.domainLower());
        String first = tx.firstSpelling(canonical);
        if (first != null) {
            s.apply(s.ctx().policy().duplicate(s, first));
            return;
        }
        if (tx.recipients().size() >= s.config().limits().maxRecipients()) {
            s.mailLog().log(3, MailLog.Priority.NOTICE, s.sessionId(), "Too many recipients");
            s.reply(Replies.TOO_MANY_RECIPIENTS);
            return;
        }
        RcptOutcome d = s.ctx().policy().recipient(s, p.echo(), a, tx.rejected(), s.state().lookups(s.config().limits().maxRecipients()));
        if (d.lookup() != null) {
            tx.add(new Transaction.Recipient(p.echo(), a, false, dsn), canonical, d.lookup());
            s.apply(d.decision());
            return;
        }
        if (!d.known()) {
            tx.countRejected();
        }
        if (d.accepted()) {
            tx.add(new Transaction.Recipient(p.echo(), a, d.known(), dsn), canonical);
        }
        s.apply(d.decision());
        // sendmail logs the unknown user after its answer
        if (!d.known() && !d.accepted() && d.decision().reply().code() == 550) {
            s.mailLog().log(3, MailLog.Priority.NOTICE, s.sessionId(), d.decision().reply().text());
        }
    }
}
