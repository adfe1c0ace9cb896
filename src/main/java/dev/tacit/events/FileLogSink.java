package dev.tacit.events;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail log lines appended to a file in the classic syslog layout mail admins grep
 * ({@code Nov 22 12:39:41 mail tacit[1234]: 6AMCdnSH001732: ...}). Config key: log.file.
 */
public final class FileLogSink implements LogSink {

    private static final Logger log = LoggerFactory.getLogger(FileLogSink.class);
    static final DateTimeFormatter BSD_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.US);

    private final Path path;
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private BufferedWriter out;
    private boolean failed;

    public FileLogSink(Path path, String hostname) throws IOException {
        this.path = path;
        this.host = shortHost(hostname);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String shortHost(String h) {
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    @Override
    public synchronized void write(MailLog.Priority priority, String line) {
        try {
            out.write(BSD_TIME.format(ZonedDateTime.now()) + " " + host + " tacit[" + pid + "]: " + line + "\n");
            out.flush();
            failed = false;
        } catch (IOException e) {
            if (!failed) {
                log.error("cannot write the mail log {}: {}", path, e.toString());
                failed = true;
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
