package dev.tacit.policy;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * What the guard knows about one session's source: its keys and the level it has reached.
 *
 * <p>Thread safety: the session's thread reads and writes it, and so do the session's RCPT lookups,
 * which note unknown names from their own threads ({@link SmtpPolicy#recipient}). The level only ever
 * rises, under a lock, so two notes that race cannot lose an escalation or report one twice.
 */
public final class SourceState {

    private final ReentrantLock lock = new ReentrantLock();
    private volatile EnumerationGuard.Level level = EnumerationGuard.Level.NONE;
    private volatile List<String> keys = List.of();
    private volatile boolean floodLogged;
    private volatile boolean discard;

    public EnumerationGuard.Level level() {
        return level;
    }

    /** Raises the level to {@code l}; a lower level changes nothing. */
    void level(EnumerationGuard.Level l) {
        raise(current -> l);
    }

    /**
     * Applies {@code step} to the current level, one caller at a time (the guard's note reports each
     * escalation relative to the level it is given), and keeps the higher of the two.
     */
    EnumerationGuard.Level raise(UnaryOperator<EnumerationGuard.Level> step) {
        lock.lock();
        try {
            EnumerationGuard.Level next = step.apply(level);
            if (next.compareTo(level) > 0) {
                level = next;
            }
            return level;
        } finally {
            lock.unlock();
        }
    }

    public List<String> keys() {
        return keys;
    }

    void keys(List<String> k) {
        keys = List.copyOf(k);
    }

    /** A check_vrfy/check_expn rule set answered $#discard: the current envelope is discarded (sendmail). */
    public boolean discard() {
        return discard;
    }

    void markDiscard() {
        discard = true;
    }

    public void clearDiscard() {
        discard = false;
    }

    boolean floodLogged() {
        return floodLogged;
    }

    void markFloodLogged() {
        floodLogged = true;
    }
}
