package dev.tacit.delivery;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * At most N connections at once to one destination domain (config key
 * delivery.max_connections_per_domain), so a burst for one domain neither floods its servers nor
 * takes every delivery slot, and at most M outbound connections in all (queue.delivery_concurrency).
 * The domain's slot is taken first, so sessions waiting for a busy domain hold no global slot.
 * Entries exist only while someone uses them.
 */
public final class DomainLimiter {

    private static final class Entry {
        final Semaphore permits;
        int users;

        Entry(int max) {
            this.permits = new Semaphore(max, true);
        }
    }

    private final int max;
    private final Semaphore total;
    private final Map<String, Entry> entries = new HashMap<>();

    public DomainLimiter(int perDomain, int total) {
        this.max = perDomain;
        this.total = new Semaphore(total, true);
    }

    /** A held connection slot; closing gives it back. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a slot for this domain; the returned handle gives it back. */
    public Slot acquire(String domain) throws InterruptedException {
        String key = domain.toLowerCase(Locale.ROOT);
        Entry e;
        synchronized (entries) {
            e = entries.computeIfAbsent(key, k -> new Entry(max));
            e.users++;
        }
        try {
            e.permits.acquire();
        } catch (InterruptedException ie) {
            leave(key, e);
            throw ie;
        }
        try {
            total.acquire();
        } catch (InterruptedException ie) {
            e.permits.release();
            leave(key, e);
            throw ie;
        }
        Entry held = e;
        return () -> {
            total.release();
            held.permits.release();
            leave(key, held);
        };
    }

    private void leave(String key, Entry e) {
        synchronized (entries) {
            if (--e.users == 0) {
                entries.remove(key, e);
            }
        }
    }

    /** Domains with a connection open or waiting (for tests and metrics). */
    public int active() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
