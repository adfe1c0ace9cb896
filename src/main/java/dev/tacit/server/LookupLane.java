package dev.tacit.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one session's RCPT directory lookups run: on virtual threads, at most {@link #WIDTH} at a
 * time, the rest queued in arrival order. A client that sends a hundred RCPTs therefore keeps at most
 * a few queries in flight against LDAP or PostgreSQL, however fast it talks.
 *
 * <p>Tasks are never dropped: a lookup started for a session finishes (and is noted by the guard)
 * even after the client has quit or gone, which is what lets the guard catch a scanner that
 * reconnects for every name. The lane holds no thread while it is idle.
 */
public final class LookupLane implements Executor {

    private static final Logger log = LoggerFactory.getLogger(LookupLane.class);

    /** Lookups of one session in flight at once. */
    public static final int WIDTH = 4;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;

    @Override
    public void execute(Runnable task) {
        lock.lock();
        try {
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
        } catch (RuntimeException e) {
            lock.lock();
            try {
                running--;
            } finally {
                lock.unlock();
            }
            throw e;
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
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
