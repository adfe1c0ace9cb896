package dev.tacit.server.command;

import dev.tacit.events.MailLog;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/** QUIT (RFC 5321 4.1.1.10). */
public final class QuitCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        String id = s.sessionId();
        s.quit(Replies.quit(s.ctx().hostname()));
        Transactions.end(s);
        if (!s.state().issuedSomething()) {
            s.mailLog().log(5, MailLog.Priority.INFO, id, s.clientName() + " did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA");
        }
    }
}
