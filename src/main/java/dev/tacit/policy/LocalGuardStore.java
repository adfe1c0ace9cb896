package dev.tacit.policy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * In-memory guard counters with bounded memory whatever the traffic: at most {@code maxKeys} keys
 * (least recently used forgotten first), and per key at most {@code perKey} remembered names in a
 * ring of primitive longs. Thread-safe (one lock; each operation is a few array accesses).
 */
public final class LocalGuardStore implements GuardStore {

    private final long windowMillis;
    private final int perKey;
    private final LinkedHashMap<String, Window> windows;
    private final LinkedHashMap<String, Long> blocks;

    /** The distinct names one key saw, newest overwriting oldest. */
    private static final class Window {
        final long[] hashes;
        final long[] times;
        int next;
        int size;

        Window(int cap) {
            hashes = new long[cap];
            times = new long[cap];
        }

        void note(long hash, long now) {
            for (int i = 0; i < size; i++) {
                if (hashes[i] == hash) {
                    times[i] = now;
                    return;
                }
            }
            hashes[next] = hash;
            times[next] = now;
            next = (next + 1) % hashes.length;
            size = Math.min(size + 1, hashes.length);
        }

        int count(long since) {
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (times[i] > since) {
                    n++;
                }
            }
            return n;
        }
    }

    public LocalGuardStore(Duration window, int perKey, int maxKeys) {
        this.windowMillis = window.toMillis();
        this.perKey = Math.max(1, perKey);
        this.windows = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> e) {
                return size() > maxKeys;
            }
        };
        this.blocks = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> e) {
                return size() > maxKeys;
            }
        };
    }

    @Override
    public synchronized int note(String key, long nameHash, long now) {
        Window w = windows.computeIfAbsent(key, k -> new Window(perKey));
        w.note(nameHash, now);
        return w.count(now - windowMillis);
    }

    @Override
    public synchronized int count(String key, long now) {
        Window w = windows.get(key);
        return w == null ? 0 : w.count(now - windowMillis);
    }

    @Override
    public synchronized long blockedUntil(String key, long now) {
        Long until = blocks.get(key);
        if (until == null) {
            return 0;
        }
        if (until <= now) {
            blocks.remove(key);
            return 0;
        }
        return until;
    }

    @Override
    public synchronized void block(String key, long untilMillis) {
        blocks.merge(key, untilMillis, Math::max);
    }

    @Override
    public synchronized int blockedCount(long now) {
        blocks.values().removeIf(u -> u <= now);
        return blocks.size();
    }

    /** Keys currently tracked (for tests of the memory bound). */
    public synchronized int trackedKeys() {
        return windows.size();
    }
}
