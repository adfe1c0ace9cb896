package dev.tacit.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON lines, one per probe event (VRFY, EXPN, SMTPDEBUG-era probes, VERB, ETRN, refused RCPT), beside
 * the sendmail-format log. Config key: log.events. A disabled or broken sink never affects mail.
 */
public class ProbeEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProbeEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    public static final ProbeEvents NONE = new ProbeEvents();

    private final BufferedWriter out;
    private boolean failed;

    private ProbeEvents() {
        this.out = null;
    }

    public ProbeEvents(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public static String toJson(ProbeEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.time().toString());
        m.put("client_address", e.clientAddress());
        m.put("client_name", e.clientName());
        m.put("helo", e.helo());
        m.put("command", e.command());
        m.put("argument", e.argument());
        m.put("decision", e.decision());
        m.put("reply_code", e.replyCode());
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e1) {
            throw new IllegalStateException(e1);
        }
    }

    public void emit(ProbeEvent e) {
        if (out != null) {
            write(toJson(e));
        }
    }

    /** Any other event (guard decisions), as one JSON object. */
    public void emit(Map<String, Object> event) {
        if (out == null) {
            return;
        }
        try {
            write(JSON.writeValueAsString(event));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void write(String line) {
        synchronized (this) {
            try {
                out.write(line);
                out.write('\n');
                out.flush();
                failed = false;
            } catch (IOException ex) {
                if (!failed) {
                    log.error("cannot write probe events: {}", ex.toString());
                    failed = true;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
