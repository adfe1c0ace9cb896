package dev.tacit.server.command;

import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import java.io.IOException;

/** VERB, sendmail's verbose mode: counted with NOOP; Tacit never sends the 050 notices. */
public final class VerbCommand implements CommandHandler {
    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        var d = s.ctx().policy().verb(s, cmd, s.state()::countNoop);
        if (d.reply() == Replies.VERBOSE) {
            s.state().setVerbose(true);
        }
        s.apply(d);
    }
}
