package dev.tacit.queue;

import dev.tacit.delivery.DeliveryResult;
import dev.tacit.delivery.LmtpDelivery;
import dev.tacit.delivery.MaildirDelivery;
import dev.tacit.delivery.Outbound;
import dev.tacit.delivery.SmtpDelivery;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers queued messages. Messages whose pending targets are all Maildirs go in batches: the
 * runner thread writes every target's file, then hands the batch to the settler thread, which makes
 * the Maildir folders touched durable (one syncfs for everything handed over since its last turn) and
 * journals the outcomes with one fsync, while the runner already writes the next batch. Messages
 * with remote or LMTP targets run as a "round" on virtual threads of their own (one SMTP session per destination domain and envelope
 * sender, one LMTP session per envelope sender), so a slow remote host never holds up local mail;
 * the round's outcomes are journalled when its last session ends (group commit shares the fsync).
 *
 * <p>A message leaves the spool only when every target has a final result. Temporary failures are
 * retried with exponential back-off until {@code queue.max_age}, then fail (status 4.4.7). Failures,
 * and successes that asked for a receipt, are reported by the {@link Bouncer} before the outcomes
 * are journalled (a crash can repeat a report, never lose one).
 *
 * <p>Config keys: queue.retry_initial, queue.retry_max, queue.max_age, queue.delivery_concurrency.
 */
public final class QueueRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);
    private static final int MAX_BATCH = 512;
    /**
     * At most one settle (syncfs + journal fsync) per this many nanoseconds. A syncfs costs about the
     * same for one file or a hundred: at 1 KB c=10 a settle every 20 ms instead of every 5 halved the
     * settler's CPU per message (bench/profile-notes.md, row 21). After a quiet spell the first batch
     * settles at once.
     */
    private static final long SETTLE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * How long the runner lets fresh messages gather after the first: while it sleeps, accepting a
     * message wakes nobody (a wake-up per message cost the sessions' carriers a futex call and the
     * runner a context switch each).
     */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** How a target's Maildir is found. */
    public interface Routing {
        Path maildirFor(DeliveryTarget target);
    }

    public record Settings(Duration retryInitial, Duration retryMax, Duration maxAge, int concurrency, String hostname) {}

    /**
     * What delivers targets: Maildirs always; LMTP for local targets when {@code lmtp} is set (then
     * {@code lmtpLogin} says whether the LMTP recipient is the bare login or login@hostname); SMTP for
     * remote targets when {@code smtp} is set (else they fail: remote delivery not configured).
     */
    public record Transports(MaildirDelivery maildir, LmtpDelivery lmtp, boolean lmtpLogin, SmtpDelivery smtp) {
        public static Transports maildirOnly(MaildirDelivery maildir) {
            return new Transports(maildir, null, false, null);
        }
    }

    /** One delivery outcome, for logs and metrics. */
    public record Outcome(QueuedMessage message, DeliveryTarget target, TargetStatus status, String detail, DeliveryResult result) {}

    private final Spool spool;
    private final Transports transports;
    private final Routing routing;
    private final Settings settings;
    private final Clock clock;
    private final Consumer<Outcome> listener;
    private volatile Bouncer bouncer;
    private final DelayQueue<Due> due = new DelayQueue<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore permits;
    private final Set<QueuedMessage> inFlight = ConcurrentHashMap.newKeySet();
    /** Delivered batches waiting to be made durable; bounded, so a slow disk slows the runner. */
    private final BlockingQueue<Delivered> settling = new ArrayBlockingQueue<>(64);
    private volatile boolean running;
    private Thread thread;
    private Thread settler;

    public QueueRunner(Spool spool, MaildirDelivery maildir, Routing routing, Settings settings, Clock clock, Consumer<Outcome> listener) {
        this(spool, Transports.maildirOnly(maildir), routing, settings, clock, listener);
    }

    public QueueRunner(Spool spool, Transports transports, Routing routing, Settings settings, Clock clock, Consumer<Outcome> listener) {
        this.spool = spool;
        this.transports = transports;
        this.routing = routing;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.permits = new Semaphore(settings.concurrency());
    }

    /** Reports failures (and requested receipts) from now on; without one, outcomes are only logged. */
    public void setBouncer(Bouncer b) {
        this.bouncer = b;
    }

    public Bouncer bouncer() {
        return bouncer;
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
        settler = Thread.ofPlatform().name("queue-settler").daemon(true).start(this::settleLoop);
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
        long every = TimeUnit.MILLISECONDS.toNanos(200); // a look for the file every 200 ms, not per batch
        long lastLook = System.nanoTime() - every;
        while (running) {
            try {
                if (System.nanoTime() - lastLook >= every) {
                    lastLook = System.nanoTime();
                    if (java.nio.file.Files.exists(request)) {
                        java.nio.file.Files.deleteIfExists(request);
                        log.info("queue run requested by {}", request);
                        runNow();
                    }
                }
                Due first = due.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (running) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(GATHER_NANOS);
                    } catch (InterruptedException e) {
                        due.add(first); // closing: it stays due in memory as well as in the spool
                        throw e;
                    }
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

    /** One attempt's result for one target. */
    private record Done(QueuedMessage m, int target, DeliveryResult result) {}

    /** A batch whose files are written and not yet durable. */
    private record Delivered(List<QueuedMessage> messages, List<Done> done) {}

    /**
     * Settles what the runner delivered: everything waiting is merged into one settle, so while a
     * syncfs and the journal's fsync run, the next batches' files are written and then share the
     * following sync. Runs until the runner has stopped and nothing is left.
     */
    private void settleLoop() {
        List<Delivered> work = new ArrayList<>();
        long lastSettle = System.nanoTime() - SETTLE_INTERVAL_NANOS;
        while (running || thread.isAlive() || !settling.isEmpty()) {
            try {
                Delivered first = settling.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                // A syncfs and an fsync cost the same for one file or a hundred: let a few
                // milliseconds of deliveries gather first (their files are already in new/; a crash
                // before the journal says so delivers them again under the same names).
                long wait = lastSettle + SETTLE_INTERVAL_NANOS - System.nanoTime();
                if (wait > 0 && running) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                work.add(first);
                settling.drainTo(work);
                List<QueuedMessage> messages = new ArrayList<>();
                List<Done> done = new ArrayList<>();
                for (Delivered d : work) {
                    messages.addAll(d.messages());
                    done.addAll(d.done());
                }
                work.clear();
                lastSettle = System.nanoTime();
                try {
                    settle(messages, done);
                } catch (Throwable e) { // the settler must outlive any one batch, or the runner blocks for good
                    log.error("queue runner: settling a batch failed; its messages will be retried", e);
                    retryLater(messages);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void retryLater(List<QueuedMessage> messages) {
        for (QueuedMessage m : messages) {
            scheduleAt(m, clock.millis() + settings.retryInitial().toMillis());
            inFlight.remove(m);
        }
    }

    void runBatch(List<QueuedMessage> batch) throws IOException {
        List<QueuedMessage> local = new ArrayList<>();
        for (QueuedMessage m : batch) {
            if (spool.get(m.queueId) != m || inFlight.contains(m)) {
                continue; // completed meanwhile, or a round is running (it reschedules itself)
            }
            if (needsRound(m)) {
                startRound(m);
            } else {
                local.add(m);
            }
        }
        if (local.isEmpty()) {
            return;
        }
        // Under batch (or no) sync nothing in a delivery waits for a disk (the batch's syncfs comes
        // after), so writing the files one by one on this thread costs less than the two thread
        // wake-ups a delivery on its own thread takes (profile: 10-13 context switches per 1 KB
        // message, each expensive on a VM); with an fsync per file they run in parallel.
        inFlight.addAll(local); // until settled: a message due again meanwhile waits for its outcome
        try {
            List<Done> done = transports.maildir().sync() == MaildirDelivery.Sync.FILE ? deliverInParallel(local) : deliverInTurn(local);
            settling.put(new Delivered(local, done));
        } catch (InterruptedException | InterruptedIOException e) {
            // stopping: nothing journalled, the messages stay queued (a restart delivers them again, and
            // MaildirDelivery's check for an earlier copy keeps that to one)
            local.forEach(inFlight::remove);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("queue runner interrupted");
        } catch (RuntimeException | Error e) {
            retryLater(local); // e.g. the workers refusing tasks while closing: never stuck in flight
            throw e;
        }
    }

    private List<Done> deliverInTurn(List<QueuedMessage> local) throws InterruptedIOException {
        List<Done> done = new ArrayList<>();
        for (QueuedMessage m : local) {
            for (int t : m.pendingTargets()) {
                try {
                    done.add(new Done(m, t, deliverAlone(m, t)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("queue runner interrupted");
                } catch (RuntimeException e) {
                    log.error("queue runner: a delivery failed unexpectedly", e);
                    done.add(new Done(m, t, new DeliveryResult.Temporary("internal error: " + e)));
                }
            }
        }
        return done;
    }

    private List<Done> deliverInParallel(List<QueuedMessage> local) {
        List<Future<Done>> attempts = new ArrayList<>();
        for (QueuedMessage m : local) {
            for (int t : m.pendingTargets()) {
                attempts.add(workers.submit(() -> {
                    try {
                        return new Done(m, t, deliverAlone(m, t));
                    } catch (RuntimeException e) {
                        log.error("queue runner: a delivery failed unexpectedly", e);
                        return new Done(m, t, new DeliveryResult.Temporary("internal error: " + e));
                    }
                }));
            }
        }
        List<Done> done = new ArrayList<>();
        for (Future<Done> f : attempts) {
            try {
                done.add(f.get());
            } catch (Exception e) {
                log.error("queue runner: a delivery was interrupted", e);
            }
        }
        return done;
    }

    private boolean needsRound(QueuedMessage m) {
        for (int t : m.pendingTargets()) {
            DeliveryTarget.Kind k = m.envelope.targets().get(t).kind();
            if (k == DeliveryTarget.Kind.REMOTE && transports.smtp() != null || k == DeliveryTarget.Kind.LOCAL && transports.lmtp() != null) {
                return true;
            }
        }
        return false;
    }

    /** Targets of a round that share one session: same transport, domain and envelope sender. */
    private record Group(String kind, String domain, String sender, List<Integer> targets) {}

    private void startRound(QueuedMessage m) {
        inFlight.add(m);
        Map<String, Group> groups = new LinkedHashMap<>();
        List<Done> done = Collections.synchronizedList(new ArrayList<>());
        List<Integer> alone = new ArrayList<>();
        for (int t : m.pendingTargets()) {
            DeliveryTarget target = m.envelope.targets().get(t);
            String sender = target.returnPath(m.envelope);
            if (target.kind() == DeliveryTarget.Kind.REMOTE && transports.smtp() != null) {
                String domain = domainOf(target.value());
                groups.computeIfAbsent("smtp " + domain + " " + sender, k -> new Group("smtp", domain, sender, new ArrayList<>()))
                        .targets().add(t);
            } else if (target.kind() == DeliveryTarget.Kind.LOCAL && transports.lmtp() != null) {
                groups.computeIfAbsent("lmtp " + sender, k -> new Group("lmtp", null, sender, new ArrayList<>())).targets().add(t);
            } else {
                alone.add(t);
            }
        }
        AtomicInteger left = new AtomicInteger(groups.size() + alone.size());
        Runnable finish = () -> {
            if (left.decrementAndGet() == 0) {
                try {
                    settle(List.of(m), List.copyOf(done));
                } catch (RuntimeException e) {
                    log.error("queue runner: settling {} failed", m.queueId, e);
                    retryLater(List.of(m));
                }
            }
        };
        for (Group g : groups.values()) {
            workers.submit(() -> {
                try {
                    List<DeliveryResult> rs = session(m, g);
                    for (int i = 0; i < g.targets().size(); i++) {
                        done.add(new Done(m, g.targets().get(i), rs.get(i)));
                    }
                } catch (Throwable e) {
                    log.error("{}: delivery session failed unexpectedly", m.queueId, e);
                    for (int t : g.targets()) {
                        done.add(new Done(m, t, new DeliveryResult.Temporary("internal error: " + e)));
                    }
                } finally {
                    finish.run();
                }
            });
        }
        for (int t : alone) {
            workers.submit(() -> {
                try {
                    done.add(new Done(m, t, deliverAlone(m, t)));
                } catch (Throwable e) {
                    done.add(new Done(m, t, new DeliveryResult.Temporary("internal error: " + e)));
                } finally {
                    finish.run();
                }
            });
        }
    }

    private List<DeliveryResult> session(QueuedMessage m, Group g) throws InterruptedException {
        Envelope env = m.envelope;
        List<Outbound.Recipient> rcpts = new ArrayList<>();
        for (int t : g.targets()) {
            DeliveryTarget target = env.targets().get(t);
            String address = target.kind() == DeliveryTarget.Kind.LOCAL ? lmtpAddress(target) : target.value();
            rcpts.add(new Outbound.Recipient(address, env.rcptParams(target), env.recipient(target)));
        }
        Outbound msg = new Outbound(m.queueId, g.sender(), env.params(), m.size, () -> spool.openBody(m));
        if (g.kind().equals("smtp")) {
            return transports.smtp().deliver(msg, g.domain(), rcpts);
        }
        permits.acquire();
        try {
            return transports.lmtp().deliver(msg, rcpts);
        } finally {
            permits.release();
        }
    }

    private String lmtpAddress(DeliveryTarget t) {
        return transports.lmtpLogin() ? t.value() : t.value() + "@" + settings.hostname();
    }

    /** The address a local target is reported as. */
    String localAddress(DeliveryTarget t) {
        return t.value() + "@" + settings.hostname();
    }

    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * Turns one attempt's results into journal records, log outcomes and reports: Maildir folders are
     * fsync'd, reports queued, then the outcomes journalled with one fsync; then each message is
     * completed or scheduled again.
     */
    private void settle(List<QueuedMessage> messages, List<Done> done) {
        long now = clock.millis();
        Set<Path> dirs = new HashSet<>();
        List<Spool.Result> results = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        Map<QueuedMessage, List<Bouncer.Notice>> notices = new LinkedHashMap<>();
        Bouncer b = bouncer;
        for (Done d : done) {
            QueuedMessage m = d.m();
            DeliveryTarget target = m.envelope.targets().get(d.target());
            int tries = m.attempts(d.target()) + 1;
            DeliveryResult r = d.result();
            if (r instanceof DeliveryResult.Temporary t && now - m.arrivalMillis >= settings.maxAge().toMillis()) {
                r = DeliveryResult.expired(t);
            }
            switch (r) {
                case DeliveryResult.Delivered dl -> {
                    if (dl.syncDir() != null) {
                        dirs.add(dl.syncDir());
                    }
                    results.add(new Spool.Result(m.queueId, d.target(), TargetStatus.DELIVERED, tries, 0, null));
                    outcomes.add(new Outcome(m, target, TargetStatus.DELIVERED, dl.detail(), dl));
                }
                case DeliveryResult.Permanent p -> {
                    results.add(new Spool.Result(m.queueId, d.target(), TargetStatus.FAILED, tries, 0, p.reason()));
                    outcomes.add(new Outcome(m, target, TargetStatus.FAILED, p.reason(), p));
                }
                case DeliveryResult.Temporary t -> {
                    long next = now + backoff(tries).toMillis();
                    results.add(new Spool.Result(m.queueId, d.target(), TargetStatus.DEFERRED, tries, next, t.reason()));
                    outcomes.add(new Outcome(m, target, TargetStatus.DEFERRED, t.reason(), t));
                }
            }
            if (b != null) {
                Bouncer.Notice n = b.notice(m, target, r, localAddress(target));
                if (n != null) {
                    notices.computeIfAbsent(m, k -> new ArrayList<>()).add(n);
                }
            }
        }
        // Files and renames into new/ must be durable before the journal says "delivered".
        List<QueuedMessage> reports = new ArrayList<>();
        try {
            if (!dirs.isEmpty()) {
                transports.maildir().syncBatch(dirs);
            }
            for (Map.Entry<QueuedMessage, List<Bouncer.Notice>> e : notices.entrySet()) {
                b.send(e.getKey(), e.getValue(), reports::add);
            }
            spool.recordResults(results);
        } catch (Exception e) {
            log.error("queue runner: cannot make delivery results durable; the attempt will be retried", e);
            retryLater(messages);
            reports.forEach(this::submit);
            return;
        }
        for (Outcome o : outcomes) {
            listener.accept(o);
        }
        reports.forEach(this::submit);
        for (QueuedMessage m : messages) {
            spool.releaseBody(m); // a retry reads the journal; memory is for the first attempt
            // scheduled (or completed) before it leaves inFlight: a stale due entry of a queue run
            // meanwhile finds it still in flight instead of retrying it before its back-off
            if (spool.get(m.queueId) == m) {
                if (m.allFinal()) {
                    spool.complete(m);
                } else {
                    scheduleAt(m, m.nextAttemptMillis);
                }
            }
            inFlight.remove(m);
        }
    }

    /**
     * Reports on recipients a message could never be delivered to, found when it was accepted (list
     * members that do not exist); returns at once, the reports are queued.
     */
    public void reportUndeliverable(QueuedMessage m, List<Bouncer.Notice> notices) {
        Bouncer b = bouncer;
        if (b == null || notices.isEmpty()) {
            return;
        }
        b.send(m, notices, this::submit);
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

    /** One target on its own: a Maildir, or a target nothing here can deliver. */
    private DeliveryResult deliverAlone(QueuedMessage m, int t) throws InterruptedException {
        DeliveryTarget target = m.envelope.targets().get(t);
        permits.acquire();
        try {
            return switch (target.kind()) {
                case LOCAL -> {
                    String name = MaildirDelivery.uniqueName(m.arrivalMillis, m.queueId, t, settings.hostname());
                    try (InputStream body = spool.openBody(m)) {
                        yield transports.maildir().deliver(routing.maildirFor(target), name, target.returnPath(m.envelope),
                                localAddress(target), body, m.size, m.recovered);
                    } catch (IOException e) {
                        yield new DeliveryResult.Temporary("cannot read spooled body: " + e.getMessage());
                    }
                }
                case REMOTE -> new DeliveryResult.Permanent("remote delivery is not configured on this server", "5.3.5", null, null);
                case PROGRAM, FILE -> new DeliveryResult.Permanent("program and file targets are disabled", "5.3.0", null, null);
            };
        } finally {
            permits.release();
        }
    }

    /** Messages with a delivery round running now (for tests and shutdown). */
    public int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : new Thread[] {thread, settler}) { // the settler ends after the runner, once drained
            if (t != null) {
                try {
                    t.join(5000);
                    if (t.isAlive()) {
                        t.interrupt(); // e.g. a runner blocked handing a batch to a settler that is stuck
                        t.join(1000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        workers.shutdown();
        try {
            // rounds in flight finish and journal their outcomes while the spool is still open
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
