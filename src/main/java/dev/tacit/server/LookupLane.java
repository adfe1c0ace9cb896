package dev.tacit.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one session's RCPT directory lookups run (enumeration defence, answered before the lookup
 * ends): on virtual threads, at most {@link #WIDTH} at a time, the rest queued in arrival order. A
 * client that sends a hundred RCPTs therefore keeps at most a few queries in flight against LDAP or
 * PostgreSQL, however fast it talks.
 *
 * <p>Bounded: at most {@code capacity} lookups (limits.max_recipients) are running or queued at once,
 * whatever the session does (RSET and MAIL again do not reset it). Past that, {@link #execute} throws
 * {@link RejectedExecutionException} and the caller does the lookup on its own thread, so a client
 * that outruns the directory is slowed to the directory's pace instead of growing the queue.
 *
 * <p>Tasks are never dropped: a lookup started for a session finishes (and is noted by the guard)
 * even after the client has quit or gone, which is what lets the guard catch a scanner that
 * reconnects for every name; each is bounded by the directory's own timeouts. The session keeps its
 * connection slot until they have ended ({@link #awaitIdle}), so the connection limits still bound
 * the lookups a client has in flight. The lane holds no thread while it is idle. Thread-safe; one
 * lane per session.
 */
public final class LookupLane implements Executor {

    private static final Logger log = LoggerFactory.getLogger(LookupLane.class);

    /** Lookups of one session in flight at once. */
    public static final int WIDTH = 4;

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;

    /** @param capacity lookups running or queued at once, at least 1 */
    public LookupLane(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Runs the task on the lane, now or after those ahead of it.
     *
     * @throws RejectedExecutionException when {@code capacity} lookups are already running or queued,
     *     or no thread could be started; the task has not run and will not
     */
    @Override
    public void execute(Runnable task) {
        lock.lock();
        try {
            if (running + queue.size() >= capacity) {
                throw new RejectedExecutionException("lookup lane full (" + capacity + ")");
            }
            if (running >= WIDTH) {
                queue.add(task);
                return;
            }
            running++;
        } finally {
            lock.unlock();
        }
        try {
            Thread.ofVirtual().name("rcpt-lookup").start(() -> drain(task));
        } catch (RuntimeException | OutOfMemoryError e) {
            lock.lock();
            try {
                running--;
            } finally {
                lock.unlock();
            }
            throw new RejectedExecutionException("cannot start a lookup thread", e);
        }
    }

    /** Lookups running or queued now. */
    public int pending() {
        lock.lock();
        try {
            return running + queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no lookup is running or queued, at most {@code max}; true when idle. An interrupt
     * ends the wait (the flag is kept).
     */
    public boolean awaitIdle(Duration max) {
        long left = max.toNanos();
        lock.lock();
        try {
            while (running + queue.size() > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Runs the task, then whatever queued behind it, until the queue is empty. */
    private void drain(Runnable first) {
        Runnable task = first;
        while (task != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("lookup task failed", e);
            }
            lock.lock();
            try {
                task = queue.poll();
                if (task == null) {
                    running--;
                    if (running == 0) {
                        idle.signalAll();
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
