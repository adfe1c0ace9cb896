package dev.tacit.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Mail log lines through Logback's "tacit.maillog" logger (stdout by default). Config key: log.stdout. */
public final class StdoutLogSink implements LogSink {

    private static final Logger out = LoggerFactory.getLogger("tacit.maillog");

    @Override
    public void write(MailLog.Priority priority, String line) {
        switch (priority) {
            case CRIT, ERR -> out.error(line);
            case WARNING -> out.warn(line);
            case NOTICE, INFO -> out.info(line);
            case DEBUG -> out.debug(line);
        }
    }
}
