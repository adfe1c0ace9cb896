package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import java.io.IOException;

/** VRFY (RFC 5321 4.1.1.6, 3.5): counted, then answered by the policy. */
public final class VrfyCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        int n = s.state().countVrfy();
        s.state().markIssued();
        s.apply(s.ctx().policy().vrfy(s, cmd, n));
    }
}
