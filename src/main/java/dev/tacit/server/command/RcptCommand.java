package dev.tacit.server.command;

import dev.tacit.events.MailLog;
import dev.tacit.policy.RcptOutcome;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.server.Transaction;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.PathArgument;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/**
 * RCPT TO (RFC 5321 4.1.1.3). Syntax and limits are checked here; whether the recipient is accepted
 * is the policy's decision.
 */
public final class RcptCommand implements CommandHandler {

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        Transaction tx = s.state().tx();
        if (tx == null) {
            s.reply(Replies.NEED_MAIL_BEFORE_RCPT);
            return;
        }
        PathArgument.Result p = PathArgument.parse(cmd.argument(), "TO", PathArgument.Kind.RECIPIENT);
        if (!p.ok()) {
            tx.countRejected();
            s.reply(p.error());
            return;
        }
        if (!p.params().isEmpty()) {
            s.reply(Replies.parameterUnrecognized(p.params().keySet().iterator().next()));
            return;
        }
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
        RcptOutcome d = s.ctx().policy().recipient(s, p.echo(), a, tx.rejected());
        if (!d.known()) {
            tx.countRejected();
        }
        if (d.accepted()) {
            tx.add(new Transaction.Recipient(p.echo(), a, d.known()), canonical);
            if (!d.known() && s.countError()) {
                return;
            }
        }
        s.apply(d.decision());
        // sendmail logs the unknown user after its answer; for an untrusted client under the
        // enumeration defence the answer said otherwise, the log still tells the admin
        if (!d.known() && (d.accepted() || d.decision().reply().code() == 550)) {
            String text = d.accepted() ? p.echo() + "... User unknown" : d.decision().reply().text();
            s.mailLog().log(3, MailLog.Priority.NOTICE, s.sessionId(), text);
        }
    }
}
