package dev.tacit.events;

import java.util.List;

/**
 * sendmail-style mail log lines, each written only when the configured LogLevel (config key
 * {@code log_level}, sendmail's numbers) is above the line's threshold, exactly as sendmail gates
 * them ({@code if (LogLevel > n) sm_syslog(...)}), to every configured sink.
 *
 * <p>Security: control characters in logged text are escaped (sendmail's str2prt), so a client cannot
 * forge extra log lines.
 */
public class MailLog implements AutoCloseable {

    /** syslog priorities used by sendmail's lines. */
    public enum Priority { CRIT, ERR, WARNING, NOTICE, INFO, DEBUG }

    private final int logLevel;
    private final List<LogSink> sinks;

    public MailLog(int logLevel) {
        this(logLevel, List.of(new StdoutLogSink()));
    }

    public MailLog(int logLevel, List<LogSink> sinks) {
        this.logLevel = logLevel;
        this.sinks = List.copyOf(sinks);
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
        for (LogSink s : sinks) {
            s.write(priority, line);
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

    @Override
    public void close() {
        for (LogSink s : sinks) {
            s.close();
        }
    }
}
