package dev.tacit.server;

import dev.tacit.config.TacitConfig;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on every configured address and gives each its own virtual thread. Enforces
 * the connection limits (in all, and per client address) with 421 4.7.0, and shuts down in order:
 * stop accepting, tell idle sessions 421 4.3.2, let messages in flight finish, then close the rest.
 *
 * <p>Each address has a {@link ListenerRole}: the listen addresses are MTA ports, submission and
 * submissions the ports where clients must authenticate; the limits count all of them together.
 *
 * <p>Out of file descriptors, accept() fails and the client would wait for a greeting that never
 * comes: the listener keeps one descriptor in reserve (/dev/null), and when accept fails for lack of
 * descriptors it gives the reserve up, accepts, answers 421 4.7.0 and closes, then takes the reserve
 * back. Clients are refused cleanly until descriptors are free again.
 *
 * <p>Config keys: listen, submission, submissions, limits.max_connections,
 * limits.max_connections_per_client, limits.shutdown_grace.
 */
public final class SmtpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmtpListener.class);

    private final ServerContext ctx;
    private final List<ServerSocket> sockets = new ArrayList<>();
    private final List<ListenerRole> roles = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private Thread sweeper;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;
    /** The descriptor held back for refusing connections when none is left; guarded by itself. */
    private final Object reserveLock = new Object();
    private FileChannel reserve;

    public SmtpListener(ServerContext ctx) {
        this.ctx = ctx;
    }

    public void start() throws IOException {
        bind(ctx.config().listen(), ListenerRole.MTA);
        bind(ctx.config().auth().submission(), ListenerRole.SUBMISSION);
        bind(ctx.config().auth().submissions(), ListenerRole.SUBMISSIONS);
        takeReserve();
        for (int i = 0; i < sockets.size(); i++) {
            ServerSocket ss = sockets.get(i);
            ListenerRole role = roles.get(i);
            // a virtual acceptor, like the sessions it starts: measured 0.071-0.077 ms CPU per
            // connect/EHLO/QUIT session against 0.082-0.087 with a platform acceptor
            acceptors.add(Thread.ofVirtual().name("smtp-accept-" + ss.getLocalPort()).start(() -> acceptLoop(ss, role)));
        }
        sweeper = Thread.ofPlatform().daemon().name("read-deadlines").start(this::sweepLoop);
    }

    /** Cuts the reads that have overrun their timeout (see {@link ReadDeadline}), until interrupted. */
    private void sweepLoop() {
        while (true) {
            try {
                Thread.sleep(sweepInterval(ctx.config().limits()));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Session s : sessions) {
                s.readDeadline().expire(now);
            }
        }
    }

    /** A tenth of the shortest read timeout, between 10 ms and 1 s: how late a timeout may fire. */
    static Duration sweepInterval(TacitConfig.Limits limits) {
        long shortest = Math.min(limits.commandTimeout().toMillis(), limits.dataTimeout().toMillis());
        return Duration.ofMillis(Math.clamp(shortest / 10, 10, 1000));
    }

    private void bind(List<TacitConfig.ListenAddress> addresses, ListenerRole role) throws IOException {
        for (TacitConfig.ListenAddress a : addresses) {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            try {
                ss.bind(new InetSocketAddress(InetAddress.getByName(a.host()), a.port()), 4096);
            } catch (IOException e) {
                ss.close();
                close();
                throw new IOException("cannot listen on " + a + ": " + e.getMessage(), e);
            }
            sockets.add(ss);
            roles.add(role);
        }
    }

    /** The bound addresses (with the real port when the config said 0). */
    public List<InetSocketAddress> addresses() {
        return sockets.stream().map(s -> (InetSocketAddress) s.getLocalSocketAddress()).toList();
    }

    /** The bound addresses of one role, in config order. */
    public List<InetSocketAddress> addresses(ListenerRole role) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            if (roles.get(i) == role) {
                out.add((InetSocketAddress) sockets.get(i).getLocalSocketAddress());
            }
        }
        return out;
    }

    public int activeSessions() {
        return active.get();
    }

    private void acceptLoop(ServerSocket ss, ListenerRole role) {
        while (!stopping) {
            Socket s;
            try {
                s = ss.accept();
            } catch (SocketException e) {
                if (!stopping) {
                    log.error("accept on {} failed: {}", ss.getLocalSocketAddress(), e.toString());
                }
                return;
            } catch (IOException e) {
                // Out of file descriptors and the like: refuse the waiting client cleanly, keep serving.
                if (!acceptWithReserve(ss, role)) {
                    log.warn("accept on {} failed: {}; backing off", ss.getLocalSocketAddress(), e.toString());
                    sleepQuietly(100);
                }
                continue;
            }
            admitQuietly(s, role);
        }
    }

    private void admit(Socket s, ListenerRole role) {
        var limits = ctx.config().limits();
        InetAddress client = s.getInetAddress();
        if (active.incrementAndGet() > limits.maxConnections()) {
            active.decrementAndGet();
            refuse(s, Replies.tooManyConnections(ctx.hostname()));
            return;
        }
        AtomicInteger count = perClient.computeIfAbsent(client, k -> new AtomicInteger());
        if (count.incrementAndGet() > limits.maxConnectionsPerClient()) {
            release(client, count);
            refuse(s, Replies.tooManyConnectionsFromClient(ctx.hostname()));
            return;
        }
        String id = ctx.spool().newQueueId();
        Session[] holder = new Session[1];
        Session session = new Session(ctx, s, id, () -> {
            sessions.remove(holder[0]);
            release(client, count);
        }, role);
        holder[0] = session;
        sessions.add(session);
        if (stopping) {
            session.requestShutdown();
        }
        Thread.ofVirtual().name("smtp-" + id).start(session);
    }

    /** Opens the reserve descriptor if it is not held; false when even that fails. */
    private boolean takeReserve() {
        synchronized (reserveLock) {
            if (reserve == null) {
                try {
                    reserve = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ);
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * accept() failed, most likely for lack of descriptors (Linux fails accept with EMFILE before it
     * even looks for a waiting client). Spends the reserve on accepting the next client within 100 ms;
     * if the reserve can be taken back afterwards there were descriptors after all and the client is
     * served, otherwise it is answered 421 and closed. False when there was no reserve to spend (the
     * caller backs off).
     */
    private boolean acceptWithReserve(ServerSocket ss, ListenerRole role) {
        Socket s;
        synchronized (reserveLock) {
            if (reserve == null) {
                takeReserve();
                return false;
            }
            closeQuietly(reserve);
            reserve = null;
            try {
                ss.setSoTimeout(100);
                s = ss.accept();
            } catch (IOException e) {
                takeReserve(); // nobody came (SocketTimeoutException), or still no descriptor
                return true;
            } finally {
                try {
                    ss.setSoTimeout(0);
                } catch (IOException ignored) {
                    // the listener is closing
                }
            }
            if (takeReserve()) {
                admitQuietly(s, role);
                return true;
            }
            try (s) {
                s.setSoTimeout(1000);
                s.getOutputStream().write(Replies.tooManyConnections(ctx.hostname()).toBytes());
                s.getOutputStream().flush();
            } catch (IOException e) {
                log.debug("refusing a client for lack of descriptors: {}", e.toString());
            }
            takeReserve();
            refusedForDescriptors++;
            if (refusedForDescriptors == 1 || refusedForDescriptors % 1000 == 0) {
                log.warn("out of file descriptors: {} connection(s) refused with 421 so far", refusedForDescriptors);
            }
            return true;
        }
    }

    private void admitQuietly(Socket s, ListenerRole role) {
        try {
            admit(s, role);
        } catch (RuntimeException | OutOfMemoryError e) {
            log.error("cannot start a session: {}", e.toString());
            closeQuietly(s);
        }
    }

    private long refusedForDescriptors;

    private void release(InetAddress client, AtomicInteger count) {
        active.decrementAndGet();
        if (count.decrementAndGet() <= 0) {
            perClient.remove(client, count);
        }
    }

    private void refuse(Socket s, Reply r) {
        Thread.ofVirtual().start(() -> {
            try (s) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(r.toBytes());
                s.getOutputStream().flush();
            } catch (IOException ignored) {
                // the client left
            }
        });
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (reserveLock) {
            if (reserve != null) {
                closeQuietly(reserve);
                reserve = null;
            }
        }
        for (ServerSocket ss : sockets) {
            closeQuietly(ss);
        }
        for (Thread t : acceptors) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Session s : sessions) {
            s.requestShutdown();
        }
        long deadline = System.nanoTime() + ctx.config().limits().shutdownGrace().toNanos();
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            for (Session s : sessions) {
                s.requestShutdown();
            }
            sleepQuietly(20);
        }
        for (Session s : sessions) {
            s.forceClose();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!sessions.isEmpty() && System.nanoTime() < end) {
            sleepQuietly(10);
        }
        if (sweeper != null) {
            sweeper.interrupt();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
