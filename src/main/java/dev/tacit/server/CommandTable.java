package dev.tacit.server;

import dev.tacit.server.command.AuthCommand;
import dev.tacit.server.command.DataCommand;
import dev.tacit.server.command.EtrnCommand;
import dev.tacit.server.command.ExpnCommand;
import dev.tacit.server.command.HeloCommand;
import dev.tacit.server.command.HelpCommand;
import dev.tacit.server.command.MailCommand;
import dev.tacit.server.command.NoopCommand;
import dev.tacit.server.command.NotImplementedCommand;
import dev.tacit.server.command.ProbeCommand;
import dev.tacit.server.command.QuitCommand;
import dev.tacit.server.command.RcptCommand;
import dev.tacit.server.command.RsetCommand;
import dev.tacit.server.command.StartTlsCommand;
import dev.tacit.server.command.VerbCommand;
import dev.tacit.server.command.VrfyCommand;
import java.util.Map;

/**
 * The one table from verb to handler (sendmail's command table, srvrsmtp.c). A verb not here is
 * answered as unknown. The SMTPDEBUG-era probes (DEBUG, SHOWQ, WIZ, KILL, ...) are here only so
 * they can be logged; they answer exactly as an unknown command does.
 */
public final class CommandTable {

    private CommandTable() {}

    private static final CommandHandler NOT_IMPLEMENTED = new NotImplementedCommand();
    private static final CommandHandler PROBE = new ProbeCommand();

    private static final Map<String, CommandHandler> TABLE = Map.ofEntries(
            Map.entry("HELO", new HeloCommand(false)),
            Map.entry("EHLO", new HeloCommand(true)),
            Map.entry("MAIL", new MailCommand()),
            Map.entry("RCPT", new RcptCommand()),
            Map.entry("DATA", new DataCommand()),
            Map.entry("RSET", new RsetCommand()),
            Map.entry("NOOP", new NoopCommand()),
            Map.entry("QUIT", new QuitCommand()),
            Map.entry("HELP", new HelpCommand()),
            Map.entry("VRFY", new VrfyCommand()),
            Map.entry("EXPN", new ExpnCommand()),
            Map.entry("VERB", new VerbCommand()),
            Map.entry("ETRN", new EtrnCommand()),
            Map.entry("STARTTLS", new StartTlsCommand()),
            Map.entry("AUTH", new AuthCommand()),
            Map.entry("SEND", NOT_IMPLEMENTED),
            Map.entry("SAML", NOT_IMPLEMENTED),
            Map.entry("SOML", NOT_IMPLEMENTED),
            Map.entry("TURN", NOT_IMPLEMENTED),
            Map.entry("DEBUG", PROBE),
            Map.entry("SHOWQ", PROBE),
            Map.entry("WIZ", PROBE),
            Map.entry("KILL", PROBE),
            Map.entry("ONEX", PROBE));

    public static CommandHandler lookup(String verb) {
        return TABLE.get(verb);
    }
}
