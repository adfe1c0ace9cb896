package dev.tacit.queue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes of message bodies all sessions together may hold in memory while they receive them
 * ({@link Incoming}); a body that cannot grow within it goes to disk. A quarter of the heap by default.
 */
final class InlineBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    InlineBudget(long limit) {
        this.limit = limit;
    }

    static InlineBudget quarterOfHeap() {
        return new InlineBudget(Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 4));
    }

    static InlineBudget eighthOfHeap() {
        return new InlineBudget(Math.max(4L << 20, Runtime.getRuntime().maxMemory() / 8));
    }

    boolean tryReserve(long n) {
        while (true) {
            long u = used.get();
            if (u + n > limit) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    void release(long n) {
        used.addAndGet(-n);
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
