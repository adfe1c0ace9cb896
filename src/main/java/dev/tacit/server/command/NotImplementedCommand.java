package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/** SEND, SAML, SOML, TURN: 502, not counted as bad commands (sendmail 3.6). */
public final class NotImplementedCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        s.reply(Replies.notImplemented(cmd.line()));
    }
}
