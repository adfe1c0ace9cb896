package dev.tacit.queue;

import dev.tacit.delivery.DeliveryResult;
import dev.tacit.delivery.MaildirDelivery;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers queued messages in batches: every ready target is delivered (in parallel, bounded), the
 * Maildir folders touched are fsync'd once per batch, and the outcomes are journalled with one fsync.
 * A message leaves the spool only when every target has a final result. Temporary failures are
 * retried with exponential back-off until {@code queue.max_age}, then fail.
 *
 * <p>Config keys: queue.retry_initial, queue.retry_max, queue.max_age, queue.delivery_concurrency.
 */
public final class QueueRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);
    private static final int MAX_BATCH = 512;

    /** How a target's Maildir is found, and where the outcome of each delivery is reported. */
    public interface Routing {
        Path maildirFor(DeliveryTarget target);
    }

    public record Settings(Duration retryInitial, Duration retryMax, Duration maxAge, int concurrency, String hostname) {}

    /** One delivery outcome, for logs and metrics. */
    public record Outcome(QueuedMessage message, DeliveryTarget target, TargetStatus status, String detail) {}

    private final Spool spool;
    private final MaildirDelivery maildir;
    private final Routing routing;
    private final Settings settings;
    private final Clock clock;
    private final Consumer<Outcome> listener;
    private final DelayQueue<Due> due = new DelayQueue<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore permits;
    private volatile boolean running;
    private Thread thread;

    public QueueRunner(Spool spool, MaildirDelivery maildir, Routing routing, Settings settings, Clock clock, Consumer<Outcome> listener) {
        this.spool = spool;
        this.maildir = maildir;
        this.routing = routing;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.permits = new Semaphore(settings.concurrency());
    }

    private static final class Due implements Delayed {
        final QueuedMessage message;
        final long atNanos;

        Due(QueuedMessage message, long atNanos) {
            this.message = message;
            this.atNanos = atNanos;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(atNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(atNanos, ((Due) o).atNanos);
        }
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        long now = clock.millis();
        for (QueuedMessage m : spool.messages()) {
            scheduleAt(m, Math.max(now, m.nextAttemptMillis));
        }
        thread = Thread.ofPlatform().name("queue-runner").daemon(true).start(this::loop);
    }

    /** Queues a freshly accepted message for immediate delivery. */
    public void submit(QueuedMessage m) {
        due.add(new Due(m, System.nanoTime()));
    }

    /** Makes every queued message due now (a queue run, sendmail -q). */
    public void runNow() {
        List<QueuedMessage> all = spool.messages();
        due.clear();
        for (QueuedMessage m : all) {
            submit(m);
        }
    }

    private void scheduleAt(QueuedMessage m, long epochMillis) {
        long delay = Math.max(0, epochMillis - clock.millis());
        due.add(new Due(m, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay)));
    }

    /** The file `tacit runq` creates to ask for a queue run; only who may write the spool can create it. */
    public static final String RUN_REQUEST = "runq";

    private void loop() {
        Path request = spool.dir().resolve(RUN_REQUEST);
        while (running) {
            try {
                if (java.nio.file.Files.exists(request)) {
                    java.nio.file.Files.deleteIfExists(request);
                    log.info("queue run requested by {}", request);
                    runNow();
                }
                Due first = due.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Due> batch = new ArrayList<>();
                batch.add(first);
                due.drainTo(batch, MAX_BATCH - 1);
                runBatch(batch.stream().map(d -> d.message).distinct().toList());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                log.error("queue runner: unexpected error; continuing", e);
            }
        }
    }

    private record Attempt(QueuedMessage m, int target, Future<DeliveryResult> result) {}

    void runBatch(List<QueuedMessage> batch) {
        List<Attempt> attempts = new ArrayList<>();
        for (QueuedMessage m : batch) {
            if (spool.get(m.queueId) != m) {
                continue; // completed meanwhile
            }
            for (int t : m.pendingTargets()) {
                attempts.add(new Attempt(m, t, workers.submit(() -> deliverOne(m, t))));
            }
        }
        Set<Path> dirs = new HashSet<>();
        List<Spool.Result> results = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        long now = clock.millis();
        for (Attempt a : attempts) {
            DeliveryResult r;
            try {
                r = a.result.get();
            } catch (Exception e) {
                r = new DeliveryResult.Temporary("internal error: " + e);
            }
            DeliveryTarget target = a.m.envelope.targets().get(a.target);
            int tries = a.m.attempts(a.target) + 1;
            switch (r) {
                case DeliveryResult.Delivered d -> {
                    if (d.syncDir() != null) {
                        dirs.add(d.syncDir());
                    }
                    results.add(new Spool.Result(a.m.queueId, a.target, TargetStatus.DELIVERED, tries, 0, null));
                    outcomes.add(new Outcome(a.m, target, TargetStatus.DELIVERED, d.detail()));
                }
                case DeliveryResult.Permanent p -> {
                    results.add(new Spool.Result(a.m.queueId, a.target, TargetStatus.FAILED, tries, 0, p.reason()));
                    outcomes.add(new Outcome(a.m, target, TargetStatus.FAILED, p.reason()));
                }
                case DeliveryResult.Temporary t -> {
                    if (now - a.m.arrivalMillis >= settings.maxAge().toMillis()) {
                        String reason = "queue lifetime exceeded: " + t.reason();
                        results.add(new Spool.Result(a.m.queueId, a.target, TargetStatus.FAILED, tries, 0, reason));
                        outcomes.add(new Outcome(a.m, target, TargetStatus.FAILED, reason));
                    } else {
                        long next = now + backoff(tries).toMillis();
                        results.add(new Spool.Result(a.m.queueId, a.target, TargetStatus.DEFERRED, tries, next, t.reason()));
                        outcomes.add(new Outcome(a.m, target, TargetStatus.DEFERRED, t.reason()));
                    }
                }
            }
        }
        // Renames into new/ must be durable before the journal says "delivered".
        List<Future<?>> syncs = new ArrayList<>();
        for (Path d : dirs) {
            syncs.add(workers.submit(() -> {
                MaildirDelivery.syncDirectory(d);
                return null;
            }));
        }
        try {
            for (Future<?> f : syncs) {
                f.get();
            }
            spool.recordResults(results);
        } catch (Exception e) {
            log.error("queue runner: cannot make delivery results durable; the batch will be retried", e);
            for (QueuedMessage m : batch) {
                scheduleAt(m, clock.millis() + settings.retryInitial().toMillis());
            }
            return;
        }
        for (Outcome o : outcomes) {
            listener.accept(o);
        }
        for (QueuedMessage m : batch) {
            if (spool.get(m.queueId) != m) {
                continue;
            }
            if (m.allFinal()) {
                spool.complete(m);
            } else {
                scheduleAt(m, m.nextAttemptMillis);
            }
        }
    }

    Duration backoff(int attempts) {
        long initial = settings.retryInitial().toMillis();
        long max = settings.retryMax().toMillis();
        long d = initial;
        for (int i = 1; i < attempts && d < max; i++) {
            d *= 2;
        }
        return Duration.ofMillis(Math.min(d, max));
    }

    private DeliveryResult deliverOne(QueuedMessage m, int t) throws InterruptedException {
        DeliveryTarget target = m.envelope.targets().get(t);
        permits.acquire();
        try {
            return switch (target.kind()) {
                case LOCAL -> {
                    String name = MaildirDelivery.uniqueName(m.arrivalMillis, m.queueId, t, settings.hostname());
                    String rcpt = target.value() + "@" + settings.hostname();
                    try (InputStream body = spool.openBody(m)) {
                        yield maildir.deliver(routing.maildirFor(target), name, m.envelope.sender(), rcpt, body, m.recovered);
                    } catch (IOException e) {
                        yield new DeliveryResult.Temporary("cannot read spooled body: " + e.getMessage());
                    }
                }
                case REMOTE -> new DeliveryResult.Permanent("remote delivery is not configured on this server");
                case PROGRAM, FILE -> new DeliveryResult.Permanent("program and file targets are disabled");
            };
        } finally {
            permits.release();
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdown();
    }
}
