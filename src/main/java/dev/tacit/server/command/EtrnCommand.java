package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import java.io.IOException;

/** ETRN (RFC 1985): starts a queue run, as sendmail does, unless noetrn. */
public final class EtrnCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        s.state().markIssued(); // refused or not, sendmail counts it as issued
        var d = s.ctx().policy().etrn(s, cmd, s.state()::countEtrn);
        if (d.reply().code() == 250) {
            s.ctx().runner().runNow();
        }
        s.apply(d);
    }
}
