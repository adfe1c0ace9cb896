package dev.tacit.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scriptable fake SMTP server on a free loopback port, for the auditor's tests (in the manner of
 * OkHttp's MockWebServer): one {@link Dispatcher} per command verb, queues of scripted replies that
 * are used up before the dispatcher, every request captured, and {@link SocketPolicy} for
 * misbehaviour (close without reply, stall, delay). STARTTLS and implicit TLS use an SSLContext the
 * test supplies (see {@link TestCerts}). With {@link Builder#acceptData()} it takes messages too, so
 * it can play a remote host or smarthost for delivery tests.
 *
 * <p>It is a test double for the servers the auditor probes, not for Tacit: Tacit's own tests talk
 * to the real server.
 */
public final class FakeSmtpPeer implements AutoCloseable {

    /** One command the peer received. */
    public record Request(int connection, int index, String line, String verb, String arg, boolean tls) {}

    /** What happens after (or instead of) the reply. */
    public enum SocketPolicy {
        KEEP_OPEN,
        /** send the reply, then close the connection (e.g. after a 421) */
        CLOSE_AFTER_REPLY,
        /** close without any reply */
        CLOSE_WITHOUT_REPLY,
        /** never answer; the connection stays open until the client gives up */
        STALL
    }

    /** A reply: one or more complete lines ("250-a\n250 b"), an optional delay and a socket policy. */
    public record Response(String text, Duration delay, SocketPolicy policy) {
        public static Response of(String text) {
            return new Response(text, Duration.ZERO, SocketPolicy.KEEP_OPEN);
        }

        public Response delayed(Duration d) {
            return new Response(text, d, policy);
        }

        public Response then(SocketPolicy p) {
            return new Response(text, delay, p);
        }

        public static Response stall() {
            return new Response("", Duration.ZERO, SocketPolicy.STALL);
        }

        public static Response hangUp() {
            return new Response("", Duration.ZERO, SocketPolicy.CLOSE_WITHOUT_REPLY);
        }
    }

    /** Answers one command. */
    @FunctionalInterface
    public interface Dispatcher {
        Response dispatch(Request r);
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Dispatcher> dispatchers;
    private final Map<String, Queue<Response>> scripted = new HashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final Builder b;
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private volatile boolean closed;

    private FakeSmtpPeer(Builder b) throws IOException {
        this.b = b;
        this.dispatchers = new HashMap<>(b.dispatchers);
        this.server = b.implicitTls
                ? b.tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Queues a reply for the next command with this verb; queued replies go before the dispatcher. */
    public FakeSmtpPeer enqueue(String verb, Response r) {
        synchronized (scripted) {
            scripted.computeIfAbsent(verb.toUpperCase(Locale.ROOT), k -> new ArrayDeque<>()).add(r);
        }
        return this;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> requests(String verb) {
        return requests().stream().filter(r -> r.verb().equals(verb)).toList();
    }

    public int connections() {
        return connections.get();
    }

    /** Message bodies received after DATA (with {@link Builder#acceptData()}), CRLF line ends. */
    public List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** The most connections that were open at the same time. */
    public int maxConcurrentConnections() {
        return maxActive.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                int n = connections.incrementAndGet();
                pool.submit(() -> serve(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int conn) {
        Socket sock = s;
        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        try {
            sock.setSoTimeout(30_000);
            boolean tls = b.implicitTls;
            if (!write(sock, Response.of(b.banner))) {
                return;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8));
            int index = 0;
            for (int guard = 0; guard < 1_000_000; guard++) {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                String trimmed = line.strip();
                int sp = trimmed.indexOf(' ');
                String verb = (sp < 0 ? trimmed : trimmed.substring(0, sp)).toUpperCase(Locale.ROOT);
                String arg = sp < 0 ? "" : trimmed.substring(sp + 1).strip();
                if (verb.equals("MAIL") || verb.equals("RCPT")) {
                    arg = arg.replaceFirst("(?i)^(from|to):\\s*", "");
                }
                Request req = new Request(conn, index++, line, verb, arg, tls);
                requests.add(req);
                Response r;
                synchronized (scripted) {
                    Queue<Response> q = scripted.get(verb);
                    r = q == null ? null : q.poll();
                }
                if (r == null) {
                    r = dispatch(req);
                }
                if (!write(sock, r)) {
                    return;
                }
                if (verb.equals("DATA") && r.text().startsWith("354")) {
                    // the message up to the lone dot, dot-unstuffed, then the reply for "."
                    StringBuilder msg = new StringBuilder();
                    for (String l = in.readLine(); l != null && !l.equals("."); l = in.readLine()) {
                        msg.append(l.startsWith(".") ? l.substring(1) : l).append("\r\n");
                    }
                    Request dot = new Request(conn, index++, ".", ".", "", tls);
                    requests.add(dot);
                    messages.add(msg.toString());
                    Response end;
                    synchronized (scripted) {
                        Queue<Response> q = scripted.get(".");
                        end = q == null ? null : q.poll();
                    }
                    if (end == null) {
                        Dispatcher d = dispatchers.get(".");
                        end = d == null ? null : d.dispatch(dot);
                    }
                    if (!write(sock, end != null ? end : Response.of("250 2.0.0 Ok: queued"))) {
                        return;
                    }
                    continue;
                }
                if (verb.equals("STARTTLS") && b.tls != null && !tls && r.text().startsWith("220")) {
                    SSLSocket ssl = (SSLSocket) b.tls.getSocketFactory().createSocket(sock, null, sock.getPort(), true);
                    ssl.setUseClientMode(false);
                    ssl.startHandshake();
                    sock = ssl;
                    open.add(ssl);
                    in = new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8));
                    tls = true;
                }
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            active.decrementAndGet();
            try {
                sock.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** Writes a reply under its policy; false when the connection must end. */
    private boolean write(Socket s, Response r) throws IOException {
        if (!r.delay().isZero()) {
            try {
                Thread.sleep(r.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        switch (r.policy()) {
            case CLOSE_WITHOUT_REPLY -> {
                return false;
            }
            case STALL -> {
                try {
                    // hold the connection without answering, bounded so a broken test cannot hang forever
                    for (int i = 0; i < 600 && !closed && !s.isClosed(); i++) {
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
            default -> {
            }
        }
        OutputStream out = s.getOutputStream();
        StringBuilder sb = new StringBuilder();
        for (String l : r.text().split("\n")) {
            sb.append(l).append("\r\n");
        }
        try {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (SocketException e) {
            return false;
        }
        return r.policy() == SocketPolicy.KEEP_OPEN;
    }

    private Response dispatch(Request r) {
        Dispatcher d = dispatchers.get(r.verb());
        if (d != null) {
            Response out = d.dispatch(r);
            if (out != null) {
                return out;
            }
        }
        return switch (r.verb()) {
            case "EHLO" -> {
                List<String> kws = new ArrayList<>(b.keywords);
                if (b.tls != null && !b.implicitTls && !r.tls()) {
                    kws.add("STARTTLS");
                }
                if (r.tls()) {
                    kws.addAll(b.keywordsAfterTls);
                }
                StringBuilder sb = new StringBuilder("250" + (kws.isEmpty() ? " " : "-") + b.hostname);
                for (int i = 0; i < kws.size(); i++) {
                    sb.append("\n250").append(i == kws.size() - 1 ? ' ' : '-').append(kws.get(i));
                }
                yield Response.of(sb.toString());
            }
            case "HELO" -> Response.of("250 " + b.hostname);
            case "STARTTLS" -> b.tls != null && !r.tls() ? Response.of("220 2.0.0 Ready to start TLS")
                    : Response.of("502 5.5.1 Error: command not implemented");
            case "MAIL" -> Response.of("250 2.1.0 Ok");
            case "RCPT" -> {
                String local = r.arg().replaceAll("[<>]", "");
                int at = local.indexOf('@');
                String user = at < 0 ? local : local.substring(0, at);
                yield b.users.contains(user.toLowerCase(Locale.ROOT)) ? Response.of("250 2.1.5 Ok")
                        : Response.of("550 5.1.1 <" + local + ">: Recipient address rejected: User unknown");
            }
            case "RSET", "NOOP" -> Response.of("250 2.0.0 Ok");
            case "QUIT" -> Response.of("221 2.0.0 Bye");
            case "DATA" -> b.acceptData ? Response.of("354 End data with <CR><LF>.<CR><LF>")
                    : Response.of("554 5.5.1 Error: no valid recipients");
            default -> Response.of("502 5.5.2 Error: command not recognized");
        };
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        synchronized (open) {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException e) {
                    // nothing to do
                }
            }
        }
        pool.shutdownNow();
    }

    /** Configures a peer; {@link #start()} opens the port. */
    public static final class Builder {
        private String banner = "220 fake.example.com ESMTP";
        private String hostname = "fake.example.com";
        private final List<String> keywords = new ArrayList<>(List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME"));
        private final List<String> keywordsAfterTls = new ArrayList<>();
        private final Map<String, Dispatcher> dispatchers = new HashMap<>();
        private java.util.Set<String> users = java.util.Set.of("postmaster");
        private SSLContext tls;
        private boolean implicitTls;
        private boolean acceptData;

        /** DATA gets 354 and the message is kept (see {@link #messages()}); "." is answered by its own dispatcher or 250. */
        public Builder acceptData() {
            this.acceptData = true;
            return this;
        }

        public Builder banner(String line) {
            this.banner = line;
            return this;
        }

        public Builder hostname(String h) {
            this.hostname = h;
            return this;
        }

        public Builder keywords(String... kws) {
            keywords.clear();
            keywords.addAll(List.of(kws));
            return this;
        }

        public Builder keywordsAfterTls(String... kws) {
            keywordsAfterTls.addAll(List.of(kws));
            return this;
        }

        /** Local parts that exist (lower case); the default RCPT handler accepts only these. */
        public Builder users(String... names) {
            this.users = java.util.Set.of(names);
            return this;
        }

        public java.util.Set<String> users() {
            return users;
        }

        public Builder on(String verb, Dispatcher d) {
            dispatchers.put(verb.toUpperCase(Locale.ROOT), d);
            return this;
        }

        /** Offers STARTTLS with this context. */
        public Builder tls(SSLContext ctx) {
            this.tls = ctx;
            return this;
        }

        /** TLS from the first byte (port 465 style). */
        public Builder implicitTls(SSLContext ctx) {
            this.tls = ctx;
            this.implicitTls = true;
            return this;
        }

        public FakeSmtpPeer start() throws IOException {
            return new FakeSmtpPeer(this);
        }
    }
}
