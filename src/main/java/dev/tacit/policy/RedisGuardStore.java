package dev.tacit.policy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * Guard counters shared by every node through Redis (config key {@code counters = "redis://..."}),
 * so a prober spread over several nodes is counted as one.
 *
 * <p>Per source key a sorted set of name hashes scored by time: one Lua script adds the name, drops
 * what left the window, trims to the per-key bound and returns the count, in one round trip. Blocks
 * are a sorted set of key -> end time. Node clocks are assumed to agree within a second or so.
 *
 * <p>Memory is bounded whatever the traffic (config key {@code guard.shared_max_keys}): a registry
 * (sorted set of key -> last note) holds every key noted within the window, and the script refuses to
 * create a key once the registry is full. Single-address keys (address, HELO, MAIL FROM) stop at three
 * quarters of the cap, so the /24 and /64 aggregates, which a flood of random sources shares, keep the
 * last quarter. A key Redis refused is counted by this node's own bounded counters instead, and keys
 * already known keep counting, so a flood cannot make a known prober forgotten. The block set is capped
 * at the same size (the blocks ending soonest go first). Worst case about 1.5 KB per key at the default
 * block_after (listpack-encoded sets of at most 51 members).
 *
 * <p>Failure policy (explicit, and the only one): a Redis error or timeout never fails a session. It
 * is logged (once per outage), counted in {@link #failures()}, and the call is answered from the local
 * counters; Redis is retried after a short back-off.
 */
public final class RedisGuardStore implements GuardStore {

    private static final Logger log = LoggerFactory.getLogger(RedisGuardStore.class);
    private static final String PREFIX = "tacit:guard:";
    private static final String BLOCKS = "tacit:guard-blocks";
    private static final String KEYS_REGISTRY = "tacit:guard-keys";
    // KEYS: the key's set, the registry; ARGV: now, name hash, window, per-key cap, key name, how many keys may exist
    private static final String NOTE = """
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
            if not redis.call('ZSCORE', KEYS[2], ARGV[5]) then
              if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then
                return -1
              end
            end
            redis.call('ZADD', KEYS[2], ARGV[1], ARGV[5])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
            local n = redis.call('ZCARD', KEYS[1])
            local cap = tonumber(ARGV[4])
            if n > cap then
              redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
              n = cap
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return n
            """;
    // KEYS: the block set; ARGV: key, end of block, now, cap
    private static final String BLOCK = """
            local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not old or tonumber(old) < tonumber(ARGV[2]) then
              redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
            local n = redis.call('ZCARD', KEYS[1])
            local cap = tonumber(ARGV[4])
            if n > cap then
              redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
            end
            return n
            """;

    private final RedisClient redis;
    private final LocalGuardStore local;
    private final long windowMillis;
    private final int perKey;
    private final int maxKeys;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile long refusalLoggedAt;
    private volatile long retryAt;
    private volatile boolean down;

    private final Runnable onFailure;

    /**
     * @param perKey names remembered per key (block_after + 1)
     * @param maxKeys keys Redis may hold within one window ({@code guard.shared_max_keys})
     */
    public RedisGuardStore(String uri, Duration window, int perKey, int maxKeys, LocalGuardStore fallback, Runnable onFailure) {
        this.onFailure = onFailure;
        this.maxKeys = Math.max(4, maxKeys);
        URI u = URI.create(uri);
        var cfg = DefaultJedisClientConfig.builder().connectionTimeoutMillis(250).socketTimeoutMillis(250);
        if (u.getPath() != null && u.getPath().length() > 1) {
            cfg.database(Integer.parseInt(u.getPath().substring(1)));
        }
        if (u.getUserInfo() != null) {
            String[] ui = u.getUserInfo().split(":", 2);
            if (ui.length == 2) {
                if (!ui[0].isEmpty()) {
                    cfg.user(ui[0]);
                }
                cfg.password(ui[1]);
            }
        }
        if ("rediss".equals(u.getScheme())) {
            cfg.ssl(true);
        }
        this.redis = RedisClient.builder().hostAndPort(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort()).clientConfig(cfg.build()).build();
        this.local = fallback;
        this.windowMillis = window.toMillis();
        this.perKey = perKey;
    }

    /** Redis calls that failed and were answered locally. */
    public long failures() {
        return failures.get();
    }

    /** Notes of a new key that Redis refused because the key cap was reached (answered locally). */
    public long refusedKeys() {
        return refused.get();
    }

    /** How many keys a key of this kind may find in the registry and still be created. */
    private int admitBelow(String key) {
        return key.startsWith("net:") ? maxKeys : maxKeys - maxKeys / 4;
    }

    private void noteRefusal(String key, long now) {
        refused.incrementAndGet();
        if (now - refusalLoggedAt > 60_000) {
            refusalLoggedAt = now;
            log.warn("guard: Redis key cap reached ({} keys in the window, guard.shared_max_keys); new sources such as {} are"
                    + " counted on this node only", maxKeys, key);
        }
    }

    private <T> T withFallback(Supplier<T> remote, Supplier<T> fallback) {
        long now = System.currentTimeMillis();
        if (down && now < retryAt) {
            return fallback.get();
        }
        try {
            T t = remote.get();
            if (down) {
                down = false;
                log.info("guard: Redis counters reachable again");
            }
            return t;
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            onFailure.run();
            if (!down) {
                log.warn("guard: Redis counters unavailable ({}); using this node's counters until it is back", e.toString());
            }
            down = true;
            retryAt = now + 1000;
            return fallback.get();
        }
    }

    @Override
    public int note(String key, long nameHash, long nowMillis) {
        int localCount = local.note(key, nameHash, nowMillis);
        return withFallback(() -> {
            Object r = redis.eval(NOTE, List.of(PREFIX + key, KEYS_REGISTRY), List.of(Long.toString(nowMillis), Long.toHexString(nameHash),
                    Long.toString(windowMillis), Integer.toString(perKey), key, Integer.toString(admitBelow(key))));
            int n = ((Long) r).intValue();
            if (n < 0) {
                noteRefusal(key, nowMillis);
                return localCount;
            }
            // this node's names can be ones Redis has not seen (it was down for part of the window)
            return Math.max(n, localCount);
        }, () -> localCount);
    }

    @Override
    public int count(String key, long nowMillis) {
        int localCount = local.count(key, nowMillis);
        return withFallback(() -> Math.max(localCount, (int) redis.zcount(PREFIX + key, nowMillis - windowMillis + 1, Double.POSITIVE_INFINITY)),
                () -> localCount);
    }

    @Override
    public long blockedUntil(String key, long nowMillis) {
        return withFallback(() -> {
            Double until = redis.zscore(BLOCKS, key);
            return until == null || until <= nowMillis ? 0L : until.longValue();
        }, () -> local.blockedUntil(key, nowMillis));
    }

    @Override
    public void block(String key, long untilMillis) {
        local.block(key, untilMillis);
        withFallback(() -> redis.eval(BLOCK, List.of(BLOCKS),
                List.of(key, Long.toString(untilMillis), Long.toString(System.currentTimeMillis()), Integer.toString(maxKeys))), () -> null);
    }

    @Override
    public int blockedCount(long nowMillis) {
        return withFallback(() -> (int) redis.zcount(BLOCKS, nowMillis + 1, Double.POSITIVE_INFINITY), () -> local.blockedCount(nowMillis));
    }

    @Override
    public void close() {
        redis.close();
    }
}
