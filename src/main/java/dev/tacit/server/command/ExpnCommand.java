package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import java.io.IOException;

/** EXPN (RFC 5321 4.1.1.7, 3.5): counted with VRFY, then answered by the policy. */
public final class ExpnCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        int n = s.state().countVrfy();
        s.state().markIssued();
        s.apply(s.ctx().policy().expn(s, cmd, n));
    }
}
