package dev.tacit.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tests a wordlist against one target with the method the oracle found to verify, and reports the
 * names whose replies differ from the canaries'.
 *
 * <p>Politeness and robustness: at most {@code concurrency} connections, a shared rate limit, a
 * pause that doubles after each 4xx (greylisting, rate limits), reconnection after 421 or a closed
 * connection, and adaptive pacing: when replies on a connection suddenly slow down (sendmail's VRFY
 * counter, Postfix's soft error limit), the number of fast commands seen becomes the per-connection
 * budget, and later connections are renewed just before it. Every loop is bounded.
 */
final class Enumerator {

    record Result(List<UserHit> hits, List<String> unresolved, EnumerationStats stats, String error) {}

    /** Opens a session ready for the method (for RCPT: MAIL FROM already accepted). */
    interface Opener {
        ProbeSession open() throws IOException;
    }

    private static final int RCPT_BATCH = 50;
    private static final long SLOW_FLOOR_NANOS = 300_000_000L;

    private final Target target;
    private final AuditOptions opts;
    private final MethodResult method;
    private final String rcptDomain;
    private final Opener opener;
    private final Progress progress;

    private final AtomicInteger budget;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger backoffs = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicReference<String> fatal = new AtomicReference<>();
    private final List<UserHit> hits = Collections.synchronizedList(new ArrayList<>());
    private final List<String> unresolved = Collections.synchronizedList(new ArrayList<>());
    private long nextSlot;

    Enumerator(Target target, AuditOptions opts, MethodResult method, String rcptDomain, int initialBudget, Opener opener,
               Progress progress) {
        this.target = target;
        this.opts = opts;
        this.method = method;
        this.rcptDomain = rcptDomain;
        this.opener = opener;
        this.progress = progress;
        this.budget = new AtomicInteger(initialBudget);
    }

    String command(String name) {
        // the same form the oracle used: bare names, or user@domain where bare names were refused
        boolean qualified = !method.observations().isEmpty() && method.observations().get(0).command().contains("@");
        String arg = qualified && rcptDomain != null ? name + "@" + rcptDomain : name;
        return switch (method.method()) {
            case VRFY -> "VRFY " + arg;
            case EXPN -> "EXPN " + arg;
            case RCPT -> "RCPT TO:<" + name + "@" + rcptDomain + ">";
        };
    }

    Result run(List<String> names) {
        long t0 = System.nanoTime();
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(names);
        int workers = Math.min(opts.concurrency(), Math.max(1, names.size()));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                fs.add(pool.submit(() -> work(queue, names.size())));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    fatal.compareAndSet(null, "enumeration failed: " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fatal.compareAndSet(null, "interrupted");
                }
            }
        }
        List<UserHit> sorted = new ArrayList<>(hits);
        sorted.sort((a, b) -> Integer.compare(names.indexOf(a.name()), names.indexOf(b.name())));
        List<String> left = new ArrayList<>(unresolved);
        left.addAll(queue);
        double secs = (System.nanoTime() - t0) / 1e9;
        int b = budget.get();
        return new Result(sorted, left, new EnumerationStats(method.method(), done.get(), sorted.size(), left.size(), secs, connections.get(), backoffs.get(),
                b == Integer.MAX_VALUE ? 0 : b), fatal.get());
    }

    private void work(ConcurrentLinkedQueue<String> queue, int total) {
        ProbeSession s = null;
        int used = 0;          // commands on this connection
        int rcpts = 0;         // RCPTs in this transaction
        int failStreak = 0;    // consecutive failed connections
        double ewma = -1;      // typical reply time on this connection, nanos
        long backoff = opts.backoffInitial().toNanos();
        try {
            String name = null;
            int retries = 0;
            int closes = 0;
            while (fatal.get() == null) {
                if (name == null) {
                    name = queue.poll();
                    retries = 0;
                    closes = 0;
                    if (name == null) {
                        return;
                    }
                }
                if (s != null && (s.broken() || used >= budget.get())) {
                    s.quit();
                    s = null;
                }
                if (s == null) {
                    try {
                        s = opener.open();
                        connections.incrementAndGet();
                        used = 0;
                        rcpts = 0;
                        ewma = -1;
                        failStreak = 0;
                    } catch (IOException e) {
                        if (++failStreak > opts.maxReconnects()) {
                            fatal.compareAndSet(null, "could not reconnect: " + e.getMessage());
                            return;
                        }
                        sleep(Math.min(opts.backoffMax().toNanos(), opts.backoffInitial().toNanos() * failStreak));
                        continue;
                    }
                }
                if (method.method() == Method.RCPT && rcpts >= RCPT_BATCH) {
                    if (!restartTransaction(s)) {
                        continue;
                    }
                    rcpts = 0;
                }
                pace();
                Observation ob = s.probe(name, Observation.Kind.KNOWN, command(name));
                used++;
                if (ob.response() == null || ob.code() == 421) {
                    // closed, 421 (error limit reached) or no answer in time: a fresh connection resets the server's counters
                    if (ob.timedOut()) {
                        budget.accumulateAndGet(Math.max(1, used - 1), Math::min);
                    }
                    if (++closes > opts.maxRetries() + 1) {
                        unresolved.add(name);
                        finish(total);
                        name = null;
                    }
                    continue;
                }
                if (ob.code() == 452 && method.method() == Method.RCPT) {
                    rcpts = RCPT_BATCH;    // too many recipients: new transaction, same name
                    continue;
                }
                if (ob.code() >= 400 && ob.code() < 500) {
                    backoffs.incrementAndGet();
                    if (++retries > opts.maxRetries()) {
                        unresolved.add(name);
                        finish(total);
                        name = null;
                    }
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, opts.backoffMax().toNanos());
                    continue;
                }
                backoff = opts.backoffInitial().toNanos();
                if (method.method() == Method.RCPT) {
                    rcpts++;
                }
                // adaptive pacing: a reply much slower than this connection's usual means a counter tripped
                long slowAt = Math.max(SLOW_FLOOR_NANOS, (long) (ewma * 20));
                if (ewma > 0 && ob.nanos() > slowAt) {
                    budget.accumulateAndGet(Math.max(1, used - 1), Math::min);
                    s.quit();
                    s = null;
                }
                ewma = ewma < 0 ? ob.nanos() : ewma * 0.8 + ob.nanos() * 0.2;
                Shape shape = ob.shape();
                if (method.separates(shape)) {
                    boolean byCode = !shape.sameCodes(method.negative());
                    hits.add(new UserHit(name, method.method(), byCode ? "certain" : "likely", ob.response().raw().get(0)));
                }
                finish(total);
                name = null;
            }
        } finally {
            if (s != null) {
                s.quit();
            }
        }
    }

    private boolean restartTransaction(ProbeSession s) {
        try {
            var r = s.command("RSET");
            if (r == null || r.code() != 250) {
                return false;
            }
            r = s.command(Auditor.mailFrom(opts));
            return r != null && r.code() == 250;
        } catch (IOException e) {
            return false;
        }
    }

    private void finish(int total) {
        int d = done.incrementAndGet();
        progress.update(target, d, total, hits.size());
    }

    /** Shared politeness rate: each name waits for its slot. */
    private void pace() {
        if (opts.rate() <= 0) {
            return;
        }
        long interval = (long) (1e9 / opts.rate());
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextSlot);
            nextSlot = slot + interval;
            wait = slot - now;
        }
        sleep(wait);
    }

    private static void sleep(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
