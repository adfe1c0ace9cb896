package dev.tacit.server.command;

import dev.tacit.events.MailLog;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/**
 * HELO and EHLO (RFC 5321 4.1.1.1). The name is checked as sendmail checks it: required, at most 256
 * characters, letters, digits and {@code [].-_#:} only, white space only at the end. A new HELO/EHLO
 * ends any transaction, as RSET does.
 */
public final class HeloCommand implements CommandHandler {

    private final boolean extended;

    public HeloCommand(boolean extended) {
        this.extended = extended;
    }

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        s.pause(s.ctx().policy().heloDelay(s, s.state().countHelo()));
        String arg = cmd.argument().stripTrailing();
        if (arg.isEmpty()) {
            s.reply(Replies.heloNeedsDomain(cmd.typed()));
            return;
        }
        if (arg.length() > 256) {
            s.mailLog().log(9, MailLog.Priority.INFO, s.sessionId(), "invalid domain name (too long) from " + s.clientName());
            s.reply(Replies.INVALID_DOMAIN);
            return;
        }
        if (!validName(arg)) {
            s.mailLog().log(9, MailLog.Priority.INFO, s.sessionId(), "invalid domain name (" + Replies.shorten(arg) + ") from " + s.clientName());
            s.reply(Replies.INVALID_DOMAIN);
            return;
        }
        Transactions.end(s);
        s.state().identify(arg, extended);
        s.ctx().policy().reassess(s);
        String host = s.ctx().hostname();
        if (extended) {
            s.reply(Replies.ehlo(host, s.clientName(), s.ctx().policy().ehloKeywords(s.config().limits().maxMessageSize(),
                    s.tlsAvailable(), s.authOffered() ? s.config().auth().mechanisms() : java.util.List.of())));
        } else {
            s.reply(Replies.heloOk(host, s.clientName()));
        }
    }

    static boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "[].-_#:".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
