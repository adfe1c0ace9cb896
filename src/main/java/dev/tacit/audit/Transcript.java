package dev.tacit.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The lines exchanged with one target, "C: " for what the auditor sent and "S: " for what the server
 * answered, bounded so that a long enumeration cannot fill memory. Thread-safe.
 *
 * <p>Security: it holds only what the auditor sent and the target itself revealed; wordlist probes
 * are not recorded here (only the evidence of names found is reported).
 */
public final class Transcript {

    public static final int MAX_LINES = 2000;
    private final List<String> lines = new ArrayList<>();
    private boolean truncated;

    public synchronized void client(String line) {
        add("C: " + line);
    }

    public synchronized void server(List<String> raw) {
        for (String s : raw) {
            add("S: " + s);
        }
    }

    public synchronized void note(String text) {
        add("# " + text);
    }

    private void add(String s) {
        if (lines.size() < MAX_LINES) {
            lines.add(s);
        } else {
            truncated = true;
        }
    }

    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>(lines);
        if (truncated) {
            out.add("# (transcript truncated at " + MAX_LINES + " lines)");
        }
        return Collections.unmodifiableList(out);
    }
}
