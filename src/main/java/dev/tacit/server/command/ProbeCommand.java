package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/**
 * DEBUG, SHOWQ, WIZ and the other SMTPDEBUG-era commands. They never work: the reply is exactly the
 * unknown-command reply, so a scanner cannot tell them apart; only the log knows (crit, LogLevel > 0,
 * sendmail-privacy.md 10).
 */
public final class ProbeCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        s.ctx().policy().probe(s, cmd, Replies.unrecognized(cmd.line()));
        if (s.source().level() == dev.tacit.policy.EnumerationGuard.Level.BLOCK) {
            s.sendAndClose(Replies.guardBlocked(s.ctx().hostname()));
            return;
        }
        s.unknownCommand(cmd);
    }
}
