package dev.tacit.policy;

/**
 * The guard's counters, Postfix-anvil style: a tiny API over "distinct names per source key within a
 * sliding window" and "is this key blocked". {@link LocalGuardStore} keeps them in memory; the Redis
 * store shares them across a cluster.
 */
public interface GuardStore extends AutoCloseable {

    /** Notes one name for a key; returns how many distinct names the key has within the window. */
    int note(String key, long nameHash, long nowMillis);

    /** Distinct names within the window, without noting anything. */
    int count(String key, long nowMillis);

    /** When the key's block ends (epoch millis), or 0 if it is not blocked. */
    long blockedUntil(String key, long nowMillis);

    void block(String key, long untilMillis);

    /** How many keys are blocked now (for metrics); may be approximate. */
    int blockedCount(long nowMillis);

    @Override
    default void close() {}
}
