package dev.tacit.policy;

import java.time.Duration;

/**
 * sendmail's checksmtpattack delay (srvrsmtp.c; sendmail-privacy.md 9): below the limit nothing; at
 * count c >= limit L the total wait is {@code max(c / L, min(2^(c - L), 240))} seconds.
 */
final class AttackDelay {

    static final int MAX_SECONDS = 240;

    private AttackDelay() {}

    static Duration of(int count, int limit, Runnable atLimit) {
        if (limit <= 0 || count < limit) {
            return Duration.ZERO;
        }
        if (count == limit) {
            atLimit.run();
        }
        int shift = count - limit;
        long s = shift > 8 ? MAX_SECONDS : Math.min(MAX_SECONDS, 1L << shift);
        long initial = count / limit;
        long pending = Math.max(0, Math.min(MAX_SECONDS, s - initial));
        return Duration.ofSeconds(initial + pending);
    }
}
