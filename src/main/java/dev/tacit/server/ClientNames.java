package dev.tacit.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * sendmail's {@code $_} for a client: {@code name [ip]} when reverse and forward DNS agree,
 * {@code [ip]} otherwise.
 *
 * <p>Security: the lookup is the JDK's native resolver, which holds its thread for as long as DNS
 * takes. Run on a session's virtual thread it would pin a carrier, and a flood of connections from
 * addresses whose PTR lookups are slow would stall every session on the server (seen with 1,000
 * slowloris clients: 20 s before a legitimate client got its greeting). So lookups run on a pool of
 * {@link #LOOKUP_THREADS} platform threads, one lookup per address at a time, results (names and
 * failures) are kept for a minute, and a session waits at most {@link #WAIT_MILLIS} before it goes on
 * with {@code [ip]}: a flood from more addresses than that, all with hanging PTR lookups, costs a new
 * client at most that second. The queue of waiting lookups and the cache are bounded too: past them a
 * client simply gets no name.
 */
final class ClientNames {

    /** Longest wait for a reverse lookup before the session goes on without a name. */
    static final long WAIT_MILLIS = 1000;
    private static final long KEEP_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_ENTRIES = 20_000;

    private record Entry(CompletableFuture<String> name, long created) {}

    private static final Map<InetAddress, Entry> NAMES = new ConcurrentHashMap<>();
    private static final CompletableFuture<String> NO_NAME = CompletableFuture.completedFuture(null);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Lookups in flight at most; idle threads end after 30 s. */
    static final int LOOKUP_THREADS = 64;
    private static final ExecutorService LOOKUPS = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(LOOKUP_THREADS * 16), r -> Thread.ofPlatform().daemon(true).name("dns-reverse-" + THREADS.incrementAndGet()).unstarted(r));

    static {
        ((ThreadPoolExecutor) LOOKUPS).allowCoreThreadTimeOut(true);
    }

    private ClientNames() {}

    static String describe(InetAddress a) {
        String ip = literal(a);
        String name;
        try {
            name = lookup(a).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            name = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            name = null;
        }
        if (name == null || name.equals(a.getHostAddress())) {
            return "[" + ip + "]";
        }
        return name + " [" + ip + "]";
    }

    /** The pending or finished lookup of this address, started if there is none younger than a minute. */
    private static CompletableFuture<String> lookup(InetAddress a) {
        long now = System.nanoTime();
        Entry e = NAMES.get(a);
        if (e != null && (!e.name().isDone() || now - e.created() < KEEP_NANOS)) {
            return e.name();
        }
        if (NAMES.size() >= MAX_ENTRIES) {
            NAMES.values().removeIf(x -> x.name().isDone() && now - x.created() >= KEEP_NANOS);
            if (NAMES.size() >= MAX_ENTRIES) {
                NAMES.values().removeIf(x -> x.name().isDone());
            }
            if (NAMES.size() >= MAX_ENTRIES) {
                return NO_NAME; // that many lookups hanging: go on without a name, remember nothing
            }
        }
        Entry fresh = new Entry(new CompletableFuture<>(), now);
        Entry won = NAMES.compute(a, (k, old) -> old != null && old != e ? old : fresh);
        if (won == fresh) {
            // reverse lookup, checked forward by the JDK
            try {
                LOOKUPS.execute(() -> {
                    try {
                        fresh.name().complete(a.getCanonicalHostName());
                    } catch (RuntimeException ex) {
                        fresh.name().completeExceptionally(ex);
                    }
                });
            } catch (RejectedExecutionException full) {
                NAMES.remove(a, fresh); // every lookup thread busy and the queue full: no name this time
                fresh.name().complete(null);
            }
        }
        return won.name();
    }

    static String literal(InetAddress a) {
        if (a instanceof Inet6Address) {
            String s = a.getHostAddress();
            int pct = s.indexOf('%');
            return "IPv6:" + (pct >= 0 ? s.substring(0, pct) : s);
        }
        return a.getHostAddress();
    }
}
