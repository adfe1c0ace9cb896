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
 * <p>Failure policy (explicit, and the only one): a Redis error or timeout never fails a session. It
 * is logged (once per outage), counted in {@link #failures()}, and the call is answered from the local
 * counters; Redis is retried after a short back-off.
 */
public final class RedisGuardStore implements GuardStore {

    private static final Logger log = LoggerFactory.getLogger(RedisGuardStore.class);
    private static final String PREFIX = "tacit:guard:";
    private static final String BLOCKS = "tacit:guard-blocks";
    private static final String NOTE = """
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

    private final RedisClient redis;
    private final LocalGuardStore local;
    private final long windowMillis;
    private final int perKey;
    private final AtomicLong failures = new AtomicLong();
    private volatile long retryAt;
    private volatile boolean down;

    private final Runnable onFailure;

    public RedisGuardStore(String uri, Duration window, int perKey, LocalGuardStore fallback, Runnable onFailure) {
        this.onFailure = onFailure;
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
            Object r = redis.eval(NOTE, List.of(PREFIX + key),
                    List.of(Long.toString(nowMillis), Long.toHexString(nameHash), Long.toString(windowMillis), Integer.toString(perKey)));
            return ((Long) r).intValue();
        }, () -> localCount);
    }

    @Override
    public int count(String key, long nowMillis) {
        return withFallback(() -> (int) redis.zcount(PREFIX + key, nowMillis - windowMillis + 1, Double.POSITIVE_INFINITY),
                () -> local.count(key, nowMillis));
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
        withFallback(() -> {
            redis.zadd(BLOCKS, untilMillis, key);
            redis.zremrangeByScore(BLOCKS, Double.NEGATIVE_INFINITY, System.currentTimeMillis());
            return null;
        }, () -> null);
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
