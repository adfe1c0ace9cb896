package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/** RSET (RFC 5321 4.1.1.5). */
public final class RsetCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        // sendmail answers first, then logs the transaction it drops
        s.reply(Replies.RESET);
        Transactions.end(s);
    }
}
