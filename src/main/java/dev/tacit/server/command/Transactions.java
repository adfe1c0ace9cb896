package dev.tacit.server.command;

import dev.tacit.events.MailLog;
import dev.tacit.server.Session;
import dev.tacit.server.Transaction;

/** Ending a transaction the way sendmail does: the summary line, then the state is dropped. */
final class Transactions {

    private Transactions() {}

    /** RSET, a new HELO/EHLO or QUIT after MAIL: log the summary (LogLevel > 4) and drop the transaction. */
    static void end(Session s) {
        Transaction tx = s.state().tx();
        if (tx == null) {
            return;
        }
        s.mailLog().log(4, MailLog.Priority.INFO, s.sessionId(), "from=" + tx.senderEcho() + ", size=0, class=0, nrcpts="
                + tx.recipients().size() + ", proto=" + s.protocol(false) + ", daemon=MTA, relay=" + s.clientName());
        s.state().resetTransaction();
        s.renewSessionId();
    }
}
