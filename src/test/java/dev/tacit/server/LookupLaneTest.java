package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-session lookup lane on real virtual threads: at most {@link LookupLane#WIDTH} tasks at once,
 * at most its capacity running or queued (past that the caller is told, and nothing is queued), no
 * task lost when tasks end while others are being added, a failing task does not stall the queue.
 */
class LookupLaneTest {

    private static void awaitIdle(LookupLane lane) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lane.pending() > 0 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(lane.pending()).as("pending after the tasks ended").isZero();
    }

    @Test
    void runsAtMostWidthAtOnceAndRefusesPastItsCapacity() throws Exception {
        int capacity = LookupLane.WIDTH + 2;
        LookupLane lane = new LookupLane(capacity);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(LookupLane.WIDTH);
        CountDownLatch done = new CountDownLatch(capacity);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        for (int i = 0; i < capacity; i++) {
            lane.execute(() -> {
                max.accumulateAndGet(running.incrementAndGet(), Math::max);
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100); // room for a fifth task to start, were the lane not bounded
        assertThat(max.get()).isEqualTo(LookupLane.WIDTH);
        assertThat(lane.pending()).isEqualTo(capacity);
        AtomicInteger ranAnyway = new AtomicInteger();
        assertThatThrownBy(() -> lane.execute(ranAnyway::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);

        release.countDown();
        assertThat(done.await(5, TimeUnit.SECONDS)).as("every accepted task ran").isTrue();
        awaitIdle(lane);
        assertThat(ranAnyway.get()).as("the refused task").isZero();
        assertThat(max.get()).isEqualTo(LookupLane.WIDTH);

        // room again once the lookups have ended
        CountDownLatch again = new CountDownLatch(1);
        lane.execute(again::countDown);
        assertThat(again.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void noTaskIsLostWhileTasksEndAsOthersAreAdded() throws Exception {
        LookupLane lane = new LookupLane(10_000);
        for (int round = 0; round < 5; round++) {
            int n = 400;
            CountDownLatch done = new CountDownLatch(n);
            Thread[] adders = new Thread[2];
            for (int a = 0; a < adders.length; a++) {
                adders[a] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < n / 2; i++) {
                        lane.execute(done::countDown);
                    }
                });
            }
            for (Thread t : adders) {
                t.join(5000);
            }
            assertThat(done.await(5, TimeUnit.SECONDS)).as("round %d: %d tasks left", round, done.getCount()).isTrue();
            awaitIdle(lane);
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesQueuedBehindIt() throws Exception {
        LookupLane lane = new LookupLane(100);
        CountDownLatch done = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            int k = i;
            lane.execute(() -> {
                done.countDown();
                if (k % 3 == 0) {
                    throw new IllegalStateException("test: task " + k + " fails");
                }
            });
        }
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        awaitIdle(lane);
    }
}
