package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AttackDelayTest {

    private static long secs(int count, int limit) {
        return AttackDelay.of(count, limit, () -> { }).toSeconds();
    }

    @Test
    void matchesSendmailsScheduleForSuccessfulCommands() {
        // sendmail-privacy.md 9: VRFY 6..9 of a session wait 1, 2, 4, 8 s (limit 6); 12 -> 2 s initial + 62 pending
        assertThat(secs(5, 6)).isZero();
        assertThat(secs(6, 6)).isEqualTo(1);
        assertThat(secs(7, 6)).isEqualTo(2);
        assertThat(secs(8, 6)).isEqualTo(4);
        assertThat(secs(9, 6)).isEqualTo(8);
        assertThat(secs(12, 6)).isEqualTo(64);
        assertThat(secs(16, 6)).isEqualTo(240);
        assertThat(secs(100, 6)).isEqualTo(240); // 16 s at once + 224 pending: never above 4 minutes
        // the 3rd HELO waits 1 s
        assertThat(secs(3, 3)).isEqualTo(1);
        assertThat(AttackDelay.of(50, 0, () -> { })).isEqualTo(Duration.ZERO);
    }

    @Test
    void logsOnlyWhenTheLimitIsReached() {
        AtomicInteger logged = new AtomicInteger();
        for (int i = 1; i <= 10; i++) {
            AttackDelay.of(i, 6, logged::incrementAndGet);
        }
        assertThat(logged).hasValue(1);
    }
}
