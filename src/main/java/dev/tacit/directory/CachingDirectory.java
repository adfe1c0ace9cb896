package dev.tacit.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A short-lived cache in front of a network backend (PostgreSQL, LDAP): each answer, found or not,
 * is reused for {@code directory.cache_ttl}. Failures are never cached, so an outage answers 451 for
 * names not cached and recovery is seen at once. At most {@code directory.cache_size} answers are
 * kept; past that, expired answers are dropped, then absent names make room for a found one, and an
 * answer that still finds no room is not cached (nothing already cached is thrown away for it).
 *
 * <p>Security: a negative answer is cached too, so a prober asking for many absent names pays for
 * each backend query only once per TTL, and a flood of absent names cannot evict the real users;
 * it learns nothing it would not learn without the cache.
 *
 * <p>Config keys: directory.cache_ttl, directory.cache_size.
 */
public final class CachingDirectory implements Directory {

    private record Cached(Object value, long expires) {}

    private final Directory backend;
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public CachingDirectory(Directory backend, Duration ttl, int maxEntries) {
        this(backend, ttl, maxEntries, System::nanoTime);
    }

    CachingDirectory(Directory backend, Duration ttl, int maxEntries, LongSupplier clock) {
        this.backend = backend;
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    @SuppressWarnings("unchecked")
    private <T> Optional<T> get(String key) {
        Cached c = cache.get(key);
        if (c == null) {
            return null;
        }
        if (clock.getAsLong() - c.expires > 0) {
            cache.remove(key, c);
            return null;
        }
        return (Optional<T>) c.value;
    }

    private void put(String key, Optional<?> value) {
        if (ttlNanos <= 0 || maxEntries <= 0) {
            return;
        }
        if (cache.size() >= maxEntries) {
            long now = clock.getAsLong();
            cache.values().removeIf(c -> now - c.expires > 0);
            if (cache.size() >= maxEntries && value.isPresent()) {
                // a prober's absent names never push out real users: they go first
                cache.values().removeIf(c -> ((Optional<?>) c.value).isEmpty());
            }
            if (cache.size() >= maxEntries) {
                return; // full of live answers: this one is simply not cached
            }
        }
        cache.put(key, new Cached(value, clock.getAsLong() + ttlNanos));
    }

    @Override
    public Optional<User> user(String login) throws DirectoryUnavailableException {
        Optional<User> u = get("u:" + login);
        if (u == null) {
            u = backend.user(login);
            put("u:" + login, u);
        }
        return u;
    }

    @Override
    public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
        Optional<Alias> a = get("a:" + name);
        if (a == null) {
            a = backend.alias(name);
            put("a:" + name, a);
        }
        return a;
    }

    @Override
    public Map<String, User> users(Collection<String> logins) throws DirectoryUnavailableException {
        return batch("u:", logins, backend::users);
    }

    @Override
    public Map<String, Alias> aliases(Collection<String> names) throws DirectoryUnavailableException {
        return batch("a:", names, backend::aliases);
    }

    private interface Batch<T> {
        Map<String, T> fetch(Collection<String> names) throws DirectoryUnavailableException;
    }

    private <T> Map<String, T> batch(String prefix, Collection<String> names, Batch<T> fetch) throws DirectoryUnavailableException {
        Map<String, T> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            Optional<T> v = get(prefix + n);
            if (v == null) {
                missing.add(n);
            } else {
                v.ifPresent(x -> out.put(n, x));
            }
        }
        if (!missing.isEmpty()) {
            Map<String, T> found = fetch.fetch(missing);
            for (String n : missing) {
                T v = found.get(n);
                put(prefix + n, Optional.ofNullable(v));
                if (v != null) {
                    out.put(n, v);
                }
            }
        }
        return out;
    }

    @Override
    public Optional<List<String>> include(String path) throws DirectoryUnavailableException {
        return backend.include(path);
    }

    /** Never cached: a changed password takes effect at once. */
    @Override
    public Optional<String> passwordHash(String login) throws DirectoryUnavailableException {
        return backend.passwordHash(login);
    }

    @Override
    public boolean checkPassword(String login, byte[] password) throws DirectoryUnavailableException {
        return backend.checkPassword(login, password);
    }

    @Override
    public void close() {
        backend.close();
    }
}
