package dev.tacit.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sendmail-style mail log lines, each written only when the configured LogLevel (config key
 * {@code log_level}, sendmail's numbers) is above the line's threshold, exactly as sendmail gates
 * them ({@code if (LogLevel > n) sm_syslog(...)}).
 */
public class MailLog {

    /** syslog priorities used by sendmail's lines. */
    public enum Priority { CRIT, ERR, WARNING, NOTICE, INFO, DEBUG }

    private static final Logger out = LoggerFactory.getLogger("tacit.maillog");

    private final int logLevel;

    public MailLog(int logLevel) {
        this.logLevel = logLevel;
    }

    public int logLevel() {
        return logLevel;
    }

    /** Whether a line with sendmail threshold {@code above} is written ({@code LogLevel > above}). */
    public boolean enabled(int above) {
        return logLevel > above;
    }

    /**
     * @param above the sendmail threshold: the line is written when LogLevel is greater
     * @param queueId the session or message queue id prefix, or null for none
     */
    public void log(int above, Priority priority, String queueId, String text) {
        if (!enabled(above)) {
            return;
        }
        String line = queueId == null ? escape(text) : queueId + ": " + escape(text);
        write(priority, line);
    }

    protected void write(Priority priority, String line) {
        switch (priority) {
            case CRIT, ERR -> out.error(line);
            case WARNING -> out.warn(line);
            case NOTICE, INFO -> out.info(line);
            case DEBUG -> out.debug(line);
        }
    }

    /** sendmail's str2prt: control characters made visible so a log line stays one line. */
    public static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> (c < 0x20 || c == 0x7f) ? String.format("\\%03o", (int) c) : null;
            };
            if (rep != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (rep != null) {
                    sb.append(rep);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }
}
