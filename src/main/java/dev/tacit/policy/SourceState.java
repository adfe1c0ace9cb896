package dev.tacit.policy;

import java.util.List;

/** What the guard knows about one session's source: its keys and the level it has reached. */
public final class SourceState {

    private volatile EnumerationGuard.Level level = EnumerationGuard.Level.NONE;
    private volatile List<String> keys = List.of();
    private boolean floodLogged;
    private boolean discard;

    public EnumerationGuard.Level level() {
        return level;
    }

    void level(EnumerationGuard.Level l) {
        level = l;
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
