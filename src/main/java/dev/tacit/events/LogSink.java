package dev.tacit.events;

/** Where mail log lines go: stdout, a file, syslog. Sinks never throw: a broken sink must not break mail. */
public interface LogSink extends AutoCloseable {

    void write(MailLog.Priority priority, String line);

    @Override
    default void close() {}
}
