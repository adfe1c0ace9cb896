package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/**
 * STARTTLS (RFC 3207): 220, then the handshake on the same connection. The session drops anything
 * pipelined behind the command (CVE-2011-0411) and forgets the client's EHLO (RFC 3207 4.2). Without a
 * configured certificate the command is not implemented, as for any verb Tacit does not offer.
 *
 * <p>Config keys: tls.cert, tls.key, tls.handshake_timeout.
 */
public final class StartTlsCommand implements CommandHandler {

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        if (s.tlsActive()) {
            s.reply(Replies.TLS_ALREADY_ACTIVE);
            return;
        }
        if (!s.tlsAvailable()) {
            s.reply(Replies.notImplemented(cmd.line()));
            return;
        }
        if (cmd.hasArgument()) {
            s.reply(Replies.TLS_NO_PARAMETERS);
            return;
        }
        if (s.state().tx() != null) {
            s.reply(Replies.TLS_IN_TRANSACTION);
            return;
        }
        s.reply(Replies.READY_TLS);
        s.startTls();
    }
}
