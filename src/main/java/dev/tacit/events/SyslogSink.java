package dev.tacit.events;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Mail log lines as RFC 5424 syslog messages over UDP (RFC 5426), facility mail (2), with sendmail's
 * priorities. APP-NAME {@code tacit}, PROCID the pid, no structured data; the MSG is the line as the
 * file log has it. Config key: log.syslog ({@code host:port}).
 */
public final class SyslogSink implements LogSink {

    static final int FACILITY_MAIL = 2;
    private static final int MAX_DATAGRAM = 2048;

    private final DatagramSocket socket;
    private final InetSocketAddress target;
    private final String host;
    private final long pid = ProcessHandle.current().pid();

    public SyslogSink(InetSocketAddress target, String hostname) throws IOException {
        this.socket = new DatagramSocket();
        this.target = target;
        this.host = hostname;
    }

    static int severity(MailLog.Priority p) {
        return switch (p) {
            case CRIT -> 2;
            case ERR -> 3;
            case WARNING -> 4;
            case NOTICE -> 5;
            case INFO -> 6;
            case DEBUG -> 7;
        };
    }

    static String format(MailLog.Priority p, String host, long pid, Instant t, String line) {
        int pri = FACILITY_MAIL * 8 + severity(p);
        return "<" + pri + ">1 " + DateTimeFormatter.ISO_INSTANT.format(t) + " " + host + " tacit " + pid + " - - " + line;
    }

    @Override
    public void write(MailLog.Priority priority, String line) {
        byte[] b = format(priority, host, pid, Instant.now(), line).getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, MAX_DATAGRAM);
        try {
            socket.send(new DatagramPacket(b, n, target));
        } catch (IOException ignored) {
            // UDP syslog is fire and forget; a down collector must not slow mail
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
