package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The Redis guard store's memory is bounded whatever the traffic (guard.shared_max_keys): a flood of
 * random source addresses, HELO names and networks, noted the way the guard notes a probe, cannot make
 * a real redis-server hold more keys than the cap. Single-address keys stop at three quarters of it so
 * the /24 and /64 aggregates keep counting; keys known before the flood keep counting cluster-wide; a
 * refused key is still counted by the node itself; room comes back as the window moves; the block set
 * is capped too.
 */
@Timeout(120)
class RedisKeyCapTest {

    @TempDir
    Path dir;

    static final Duration WINDOW = Duration.ofMinutes(10);
    static final int CAP = 200;

    private static RedisGuardStore store(RedisServer redis, int cap) {
        return new RedisGuardStore(redis.uri(), WINDOW, 51, cap, new LocalGuardStore(WINDOW, 51, 50_000), () -> {});
    }

    private static RedisClient inspect(RedisServer redis) {
        return RedisClient.builder().hostAndPort("127.0.0.1", redis.port()).build();
    }

    /** One probe from a random source, keyed as EnumerationGuard keys it: address, network, HELO. */
    private static void floodOnce(RedisGuardStore s, Random rnd, long now) {
        String ip;
        String net;
        if (rnd.nextBoolean()) {
            int a = rnd.nextInt(1 << 24);
            ip = "198." + (a >> 16) + "." + ((a >> 8) & 255) + "." + (a & 255);
            net = "198." + (a >> 16) + "." + ((a >> 8) & 255) + ".0/24";
        } else {
            String p = Integer.toHexString(rnd.nextInt(0x10000)) + ":" + Integer.toHexString(rnd.nextInt(0x10000));
            ip = "2001:db8:" + p + ":0:0:0:" + Integer.toHexString(rnd.nextInt(0x10000));
            net = "2001:db8:" + p + "::/64";
        }
        long name = rnd.nextLong();
        s.note("ip:" + ip, name, now);
        s.note("net:" + net, name, now);
        s.note("helo:h" + Long.toHexString(rnd.nextLong()) + ".example", name, now);
    }

    private static long keysLike(RedisClient r, String pattern) {
        return r.keys(pattern).size();
    }

    @Test
    void aFloodOfRandomSourcesCannotGrowRedisPastTheCap() throws Exception {
        try (RedisServer redis = RedisServer.start(dir); RedisGuardStore a = store(redis, CAP); RedisGuardStore b = store(redis, CAP);
                RedisClient r = inspect(redis)) {
            long now = System.currentTimeMillis();
            String prober = "ip:203.0.113.9";
            for (int i = 1; i <= 5; i++) {
                assertThat(a.note(prober, 1000 + i, now)).isEqualTo(i);
            }
            Random rnd = new Random(42);
            for (int i = 0; i < 3000; i++) {
                floodOnce(i % 2 == 0 ? a : b, rnd, now);
            }
            long afterFirstWave = r.dbSize();
            assertThat(afterFirstWave).as("keys in Redis: the sets plus the registry").isLessThanOrEqualTo(CAP + 1);
            assertThat(r.zcard("tacit:guard-keys")).isEqualTo(CAP);
            long single = keysLike(r, "tacit:guard:ip:*") + keysLike(r, "tacit:guard:helo:*");
            long nets = keysLike(r, "tacit:guard:net:*");
            assertThat(single + nets).isEqualTo(CAP);
            assertThat(single).as("address and HELO keys stop at three quarters of the cap").isLessThanOrEqualTo(CAP - CAP / 4);
            assertThat(nets).as("the aggregates keep at least the last quarter").isGreaterThanOrEqualTo(CAP / 4 + 1);
            assertThat(a.refusedKeys() + b.refusedKeys()).isGreaterThan(1000);
            assertThat(a.failures() + b.failures()).as("a refusal is not an outage").isZero();

            // a second wave changes nothing in size
            for (int i = 0; i < 3000; i++) {
                floodOnce(b, rnd, now);
            }
            assertThat(r.dbSize()).isEqualTo(afterFirstWave);

            // the prober known before the flood keeps counting across nodes, in Redis
            assertThat(b.note(prober, 1006, now)).isEqualTo(6);
            assertThat(a.note(prober, 1007, now)).isEqualTo(7);
            assertThat(r.zcard("tacit:guard:" + prober)).isEqualTo(7);

            // a new prober past the cap is not stored in Redis but its node still counts it
            String late = "ip:203.0.113.77";
            for (int i = 1; i <= 4; i++) {
                assertThat(a.note(late, 2000 + i, now)).isEqualTo(i);
            }
            assertThat(a.count(late, now)).isEqualTo(4);
            assertThat(r.exists("tacit:guard:" + late)).isFalse();
        }
    }

    @Test
    void roomComesBackAsTheWindowMoves() throws Exception {
        try (RedisServer redis = RedisServer.start(dir); RedisGuardStore s = store(redis, 100); RedisClient r = inspect(redis)) {
            long t0 = System.currentTimeMillis();
            for (int i = 0; i < 100; i++) {
                s.note("ip:192.0.2." + i, i, t0);
            }
            assertThat(r.zcard("tacit:guard-keys")).isEqualTo(75);
            s.note("ip:192.0.2.200", 1, t0 + 1000);
            assertThat(r.exists("tacit:guard:ip:192.0.2.200")).isFalse();
            // once the old keys' window has passed, their registry entries go and new keys are stored again
            long later = t0 + WINDOW.toMillis() + 1;
            assertThat(s.note("ip:192.0.2.201", 1, later)).isEqualTo(1);
            assertThat(r.exists("tacit:guard:ip:192.0.2.201")).isTrue();
            // the key refused at t0+1s was never registered; the old ones were pruned
            assertThat(r.zrange("tacit:guard-keys", 0, -1)).containsExactly("ip:192.0.2.201");
        }
    }

    @Test
    void theBlockSetIsCappedAndKeepsTheLongestBlocks() throws Exception {
        try (RedisServer redis = RedisServer.start(dir); RedisGuardStore s = store(redis, 100); RedisClient r = inspect(redis)) {
            long now = System.currentTimeMillis();
            s.block("ip:192.0.2.1", now + 7_200_000);
            for (int i = 0; i < 300; i++) {
                s.block("ip:198.51.100." + i + "x", now + 3_600_000 + i);
            }
            assertThat(r.zcard("tacit:guard-blocks")).isEqualTo(100);
            assertThat(s.blockedUntil("ip:192.0.2.1", now)).isEqualTo(now + 7_200_000);
            // a shorter block does not shorten a longer one
            s.block("ip:192.0.2.1", now + 60_000);
            assertThat(r.zscore("tacit:guard-blocks", "ip:192.0.2.1")).isEqualTo((double) (now + 7_200_000));
            Set<String> kept = Set.copyOf(r.zrange("tacit:guard-blocks", 0, -1));
            assertThat(kept).contains("ip:198.51.100.299x").doesNotContain("ip:198.51.100.0x");
        }
    }
}
