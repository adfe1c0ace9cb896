package dev.tacit.server;

import dev.tacit.smtp.CommandLine;
import java.io.IOException;

/** One SMTP verb. Handlers answer through {@link Session#reply} / {@link Session#apply} only. */
@FunctionalInterface
public interface CommandHandler {
    void handle(Session session, CommandLine command) throws IOException;
}
