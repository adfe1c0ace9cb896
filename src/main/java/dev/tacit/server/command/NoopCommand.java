package dev.tacit.server.command;

import dev.tacit.policy.Decision;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/** NOOP (RFC 5321 4.1.1.9), with or without an argument. */
public final class NoopCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        int n = s.state().countNoop();
        s.apply(new Decision(Replies.OK, s.ctx().policy().noopDelay(s, "NOOP", n), false));
    }
}
