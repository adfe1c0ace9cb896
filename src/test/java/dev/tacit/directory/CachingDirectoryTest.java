package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The cache's size bound against a prober: absent names never push a real user out. */
class CachingDirectoryTest {

    /** A backend that knows two users and counts how often it is asked. */
    private static final class Counting implements Directory {
        final AtomicInteger asked = new AtomicInteger();
        final Map<String, User> users = Map.of("gw", new User("gw", "George Washington", null), "tj", new User("tj", "Thomas Jefferson", null));

        @Override
        public Optional<User> user(String login) {
            asked.incrementAndGet();
            return Optional.ofNullable(users.get(login));
        }

        @Override
        public Optional<Alias> alias(String name) {
            return Optional.empty();
        }
    }

    @Test
    void aFloodOfAbsentNamesDoesNotEvictRealUsers() throws Exception {
        Counting backend = new Counting();
        AtomicLong now = new AtomicLong();
        CachingDirectory cache = new CachingDirectory(backend, Duration.ofMinutes(1), 10, now::get);
        assertThat(cache.user("gw")).isPresent();
        assertThat(cache.user("tj")).isPresent();
        for (int i = 0; i < 100; i++) {
            assertThat(cache.user("nobody" + i)).isEmpty();
        }
        int before = backend.asked.get();
        assertThat(cache.user("gw")).isPresent();
        assertThat(cache.user("tj")).isPresent();
        assertThat(backend.asked.get()).as("real users still answered from the cache").isEqualTo(before);
        // the first absent names that fitted are still cached; the rest were not kept
        assertThat(cache.user("nobody0")).isEmpty();
        assertThat(backend.asked.get()).isEqualTo(before);
    }
}
