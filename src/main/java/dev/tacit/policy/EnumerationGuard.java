package dev.tacit.policy;

import dev.tacit.config.TacitConfig;
import dev.tacit.events.MailLog;
import dev.tacit.events.Metrics;
import dev.tacit.events.ProbeEvents;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Catches probers across connections: counts, in a sliding window, the distinct unknown names (and
 * VRFY/EXPN/probe commands) per source key: the client address, its /24 (IPv4) or /64 (IPv6), the
 * HELO name and the MAIL FROM address. When any key of a source passes a threshold the source is
 * escalated: tarpit (every reply delayed), then refusal (450 4.7.1), then block (421 4.7.0, and new
 * connections refused until the block ends). Reconnecting does not reset anything.
 *
 * <p>Every escalation is logged as a fail2ban-friendly mail log line
 * ({@code guard: blocked client 192.0.2.7 ...}), written as a JSON event and counted in metrics.
 *
 * <p>Config keys: guard.*, counters.
 */
public final class EnumerationGuard implements AutoCloseable {

    public enum Level { NONE, TARPIT, REFUSE, BLOCK }

    private final TacitConfig.Guard cfg;
    private final GuardStore store;
    private final MailLog mailLog;
    private final ProbeEvents events;
    private final Metrics metrics;
    private final Clock clock;

    public EnumerationGuard(TacitConfig.Guard cfg, GuardStore store, MailLog mailLog, ProbeEvents events, Metrics metrics, Clock clock) {
        this.cfg = cfg;
        this.store = store;
        this.mailLog = mailLog;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
    }

    public boolean enabled() {
        return cfg.enabled();
    }

    public TacitConfig.Guard config() {
        return cfg;
    }

    public GuardStore store() {
        return store;
    }

    /** The source keys of a client; HELO and sender only when known. */
    public static List<String> keys(InetAddress ip, String helo, String sender) {
        List<String> k = new ArrayList<>(4);
        k.add("ip:" + ip.getHostAddress());
        k.add("net:" + network(ip));
        if (helo != null && !helo.isBlank()) {
            k.add("helo:" + helo.toLowerCase(Locale.ROOT));
        }
        if (sender != null && !sender.isBlank()) {
            k.add("from:" + sender.toLowerCase(Locale.ROOT));
        }
        return k;
    }

    static String network(InetAddress ip) {
        byte[] a = ip.getAddress();
        if (ip instanceof Inet4Address) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + ".0/24";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            sb.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
        }
        return sb.append(":/64").toString();
    }

    /** The level a source is at now, from the shared counters and blocks (at connect, after HELO/MAIL). */
    public Level assess(List<String> keys) {
        if (!cfg.enabled()) {
            return Level.NONE;
        }
        long now = clock.millis();
        Level level = Level.NONE;
        for (String k : keys) {
            if (store.blockedUntil(k, now) > 0) {
                return Level.BLOCK;
            }
            level = max(level, levelOf(store.count(k, now)));
        }
        return level == Level.BLOCK ? Level.REFUSE : level; // a block is only made by note(), with its events
    }

    /**
     * Notes one unknown name or probe for a source; returns the source's new level, escalating (with
     * log line, event and metric) when a threshold is crossed.
     *
     * @param current the level the session already knew, so each escalation is reported once
     */
    public Level note(List<String> keys, InetAddress ip, String kind, String name, Level current) {
        if (!cfg.enabled()) {
            return Level.NONE;
        }
        long now = clock.millis();
        long hash = hash(kind + ":" + name.toLowerCase(Locale.ROOT));
        Level level = Level.NONE;
        String worstKey = keys.get(0);
        int worstCount = 0;
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String k : keys) {
            int n = store.note(k, hash, now);
            counts.put(k, n);
            if (n > worstCount) {
                worstCount = n;
                worstKey = k;
            }
            level = max(level, levelOf(n));
        }
        if (level == Level.BLOCK) {
            long until = now + cfg.blockDuration().toMillis();
            for (var e : counts.entrySet()) {
                if (e.getValue() >= cfg.blockAfter()) {
                    store.block(e.getKey(), until);
                }
            }
        }
        if (level.compareTo(current) > 0) {
            escalate(ip, level, worstKey, worstCount);
        }
        return max(level, current);
    }

    private void escalate(InetAddress ip, Level level, String key, int count) {
        String what = switch (level) {
            case TARPIT -> "tarpitting client ";
            case REFUSE -> "refusing client ";
            case BLOCK -> "blocked client ";
            case NONE -> "client ";
        };
        String window = cfg.window().toSeconds() + "s";
        String until = level == Level.BLOCK ? " until " + Instant.ofEpochMilli(clock.millis() + cfg.blockDuration().toMillis()) : "";
        mailLog.log(0, MailLog.Priority.WARNING, null,
                "guard: " + what + ip.getHostAddress() + until + " (" + key + ": " + count + " unknown names or probes in " + window + ")");
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("time", Instant.ofEpochMilli(clock.millis()).toString());
        ev.put("event", "guard");
        ev.put("level", level.name().toLowerCase(Locale.ROOT));
        ev.put("client_address", ip.getHostAddress());
        ev.put("key", key);
        ev.put("count", count);
        ev.put("window_seconds", cfg.window().toSeconds());
        events.emit(ev);
        metrics.guardEscalation(level.name().toLowerCase(Locale.ROOT));
    }

    Level levelOf(int count) {
        if (count >= cfg.blockAfter()) {
            return Level.BLOCK;
        }
        if (count >= cfg.refuseAfter()) {
            return Level.REFUSE;
        }
        if (count >= cfg.tarpitAfter()) {
            return Level.TARPIT;
        }
        return Level.NONE;
    }

    private static Level max(Level a, Level b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** 64-bit FNV-1a: names are kept as hashes, never as text. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public void close() {
        try {
            store.close();
        } catch (Exception ignored) {
            // closing
        }
    }
}
