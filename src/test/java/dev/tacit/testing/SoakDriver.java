package dev.tacit.testing;

import dev.tacit.smtp.SmtpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The load of bench/soak.sh (not a test): legitimate senders and probers against one running Tacit for
 * a given time, while the process's RSS, descriptors and heap are sampled; then every acknowledged
 * message is looked for in the Maildirs, once per final recipient.
 *
 * <p>Senders (127.0.0.1, HELO/sender of their own so the guard never counts them) send 1 KB to 600 KB
 * messages to users, aliases and postmaster, one or several per session. Probers come from 40 other
 * loopback /24s with their own HELOs and try VRFY, EXPN and RCPT with made-up names, as enumeration
 * tools do; they meet the latency envelope, the tarpit, refusals and blocks, which are expected.
 * Unexpected: any failure on the senders' side (no 2xx/3xx where one is due, a reset, a timeout), and
 * for probers a reply that is not SMTP or an internal error (4.3.0).
 *
 * <p>usage: SoakDriver port dataDir pid minutes jcmd outDir [senders probers]
 */
public final class SoakDriver {

    private static final String[] USERS = {"gw", "tj", "bf", "br", "jqp"};
    private static final Pattern SOAK_ID = Pattern.compile("(?m)^X-Soak-Id: (\\S+)");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final int port;
    private final Path data;
    private final long pid;
    private final Path jcmd;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, Set<String>> expected = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong proberSessions = new AtomicLong();
    private final Map<String, AtomicLong> proberReplies = new ConcurrentHashMap<>();
    private final List<String> samples = Collections.synchronizedList(new ArrayList<>());
    private final List<String> liveHeap = Collections.synchronizedList(new ArrayList<>());

    private SoakDriver(int port, Path data, long pid, Path jcmd) {
        this.port = port;
        this.data = data;
        this.pid = pid;
        this.jcmd = jcmd;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path data = Path.of(args[1]);
        long pid = Long.parseLong(args[2]);
        double minutes = Double.parseDouble(args[3]);
        Path jcmd = Path.of(args[4]);
        Path out = Path.of(args[5]);
        int senders = args.length > 6 ? Integer.parseInt(args[6]) : 4;
        int probers = args.length > 7 ? Integer.parseInt(args[7]) : 2;
        int code = new SoakDriver(port, data, pid, jcmd).run(Duration.ofMillis((long) (minutes * 60_000)), senders, probers, out);
        System.exit(code);
    }

    private int run(Duration length, int senders, int probers, Path out) throws Exception {
        Files.createDirectories(out);
        Instant start = Instant.now();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            int n = i;
            threads.add(Thread.ofPlatform().name("sender-" + i).start(() -> senderLoop(n)));
        }
        for (int i = 0; i < probers; i++) {
            int n = i;
            threads.add(Thread.ofPlatform().name("prober-" + i).start(() -> proberLoop(n)));
        }
        long t0 = System.nanoTime();
        long end = t0 + length.toNanos();
        long[] gcAt = {t0 + Math.min(TimeUnit.MINUTES.toNanos(2), length.toNanos() / 4), t0 + length.toNanos() / 2,
            end - Math.min(TimeUnit.SECONDS.toNanos(20), length.toNanos() / 10)};
        int gcDone = 0;
        while (System.nanoTime() < end) {
            sample(t0);
            if (gcDone < gcAt.length && System.nanoTime() >= gcAt[gcDone]) {
                liveHeap.add(String.format(Locale.ROOT, "%.1f min: %d MB live heap after a full GC",
                        (System.nanoTime() - t0) / 6e10, liveHeapKb() >> 10));
                gcDone++;
            }
            Thread.sleep(5000);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
        Instant loadEnd = Instant.now();
        sample(t0);

        // every acknowledged message, once in every final recipient's Maildir
        Map<String, Integer> missing = new HashMap<>();
        Map<String, Integer> duplicated = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        do {
            missing.clear();
            duplicated.clear();
            Map<String, Map<String, Integer>> seen = delivered();
            for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
                for (String u : e.getValue()) {
                    int n = seen.getOrDefault(u, Map.of()).getOrDefault(e.getKey(), 0);
                    if (n == 0) {
                        missing.merge(u, 1, Integer::sum);
                    } else if (n > 1) {
                        duplicated.merge(u, 1, Integer::sum);
                    }
                }
            }
            if (missing.isEmpty()) {
                break;
            }
            Thread.sleep(5000);
        } while (System.nanoTime() < deadline);
        sample(t0);

        long deliveries = expected.values().stream().mapToLong(Set::size).sum();
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("samples.csv")))) {
            w.println("seconds,rss_kb,fds,heap_used_kb,threads");
            samples.forEach(w::println);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("summary.txt")))) {
            w.printf("load: %s to %s (%.1f min)%n", start, loadEnd, Duration.between(start, loadEnd).toMillis() / 60_000.0);
            w.printf("legitimate: %d sessions, %d messages acknowledged, %d deliveries expected%n", sessions.get(), messages.get(), deliveries);
            w.printf("probers: %d sessions, %d probes; replies: %s%n", proberSessions.get(), probes.get(), new java.util.TreeMap<>(proberReplies));
            w.printf("lost (acknowledged, not delivered): %d; delivered more than once: %d%n",
                    missing.values().stream().mapToInt(Integer::intValue).sum(), duplicated.values().stream().mapToInt(Integer::intValue).sum());
            w.printf("unexpected errors: %d %s%n", errors.values().stream().mapToLong(AtomicLong::get).sum(), new java.util.TreeMap<>(errors));
            liveHeap.forEach(w::println);
        }
        System.out.print(Files.readString(out.resolve("summary.txt")));
        boolean ok = missing.isEmpty() && duplicated.isEmpty() && errors.isEmpty();
        return ok ? 0 : 1;
    }

    // ------------------------------------------------------------------ legitimate senders

    private void senderLoop(int n) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long count = 0;
        while (!stop.get()) {
            sessions.incrementAndGet();
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(60))) {
                expect(c.read(), 220, "greeting");
                expect(c.command("EHLO sender" + n + ".soak.example.net"), 250, "EHLO");
                int perSession = rnd.nextInt(10) < 7 ? 1 : 1 + rnd.nextInt(5);
                for (int m = 0; m < perSession && !stop.get(); m++) {
                    String id = "s" + n + "-" + (++count);
                    Set<String> finals = new LinkedHashSet<>();
                    List<String> rcpts = recipients(rnd, finals);
                    expect(c.command("MAIL FROM:<sender" + n + "@soak.example.org>"), 250, "MAIL");
                    for (String r : rcpts) {
                        expect(c.command("RCPT TO:<" + r + "@example.com>"), 250, "RCPT");
                    }
                    expect(c.command("DATA"), 354, "DATA");
                    SmtpClient.Response r = c.data(body(id, size(rnd)));
                    expect(r, 250, "end of DATA");
                    expected.put(id, finals);
                    messages.incrementAndGet();
                }
                expect(c.command("QUIT"), 221, "QUIT");
            } catch (Unexpected e) {
                error("sender: " + e.getMessage());
            } catch (SocketTimeoutException e) {
                error("sender: timeout");
            } catch (IOException e) {
                error("sender: " + e.getClass().getSimpleName() + " " + e.getMessage());
            }
            pause(rnd.nextInt(50, 400));
        }
    }

    private static List<String> recipients(ThreadLocalRandom rnd, Set<String> finals) {
        List<String> out = new ArrayList<>();
        int k = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
        for (int i = 0; i < k; i++) {
            int pick = rnd.nextInt(20);
            if (pick == 0) {
                out.add("all");
                finals.addAll(List.of(USERS));
            } else if (pick == 1) {
                out.add("postmaster");
                finals.add("gw");
            } else {
                String u = USERS[rnd.nextInt(USERS.length)];
                out.add(u);
                finals.add(u);
            }
        }
        return out;
    }

    private static int size(ThreadLocalRandom rnd) {
        int p = rnd.nextInt(100);
        return p < 90 ? rnd.nextInt(1024, 8192) : p < 99 ? rnd.nextInt(20_000, 100_000) : rnd.nextInt(300_000, 600_000);
    }

    private static byte[] body(String id, int size) {
        StringBuilder sb = new StringBuilder(size + 200);
        sb.append("Subject: soak ").append(id).append("\r\nX-Soak-Id: ").append(id).append("\r\n\r\n");
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (sb.length() < size) {
            int len = rnd.nextInt(1, 120);
            if (rnd.nextInt(50) == 0) {
                sb.append('.'); // lines that need dot-stuffing
            }
            for (int i = 0; i < len; i++) {
                sb.append((char) ('a' + rnd.nextInt(26)));
            }
            sb.append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void expect(SmtpClient.Response r, int code, String what) throws Unexpected {
        if (r == null) {
            throw new Unexpected(what + ": connection closed");
        }
        if (r.code() != code) {
            throw new Unexpected(what + ": " + r.raw().get(0));
        }
    }

    private static final class Unexpected extends Exception {
        private static final long serialVersionUID = 1L;

        Unexpected(String m) {
            super(m);
        }
    }

    // ------------------------------------------------------------------ probers

    private void proberLoop(int n) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (!stop.get()) {
            String from = "127." + (100 + rnd.nextInt(40)) + "." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254));
            proberSessions.incrementAndGet();
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(30), from)) {
                if (!probeReply(c.read())) {
                    continue;
                }
                if (!probeReply(c.command("EHLO scan" + rnd.nextInt(500) + ".prober.example"))) {
                    continue;
                }
                boolean mail = false;
                for (int i = 0, k = 1 + rnd.nextInt(8); i < k && !stop.get(); i++) {
                    String name = rnd.nextInt(4) == 0 ? USERS[rnd.nextInt(USERS.length)] : "u" + Long.toString(rnd.nextLong(1L << 40), 36);
                    String cmd = switch (rnd.nextInt(3)) {
                        case 0 -> "VRFY " + name;
                        case 1 -> "EXPN " + name;
                        default -> {
                            if (!mail) {
                                mail = true;
                                if (!probeReply(c.command("MAIL FROM:<probe@prober.example>"))) {
                                    yield null;
                                }
                            }
                            yield "RCPT TO:<" + name + "@example.com>";
                        }
                    };
                    if (cmd == null) {
                        break;
                    }
                    probes.incrementAndGet();
                    if (!probeReply(c.command(cmd))) {
                        break;
                    }
                }
                if (rnd.nextBoolean()) {
                    probeReply(c.command("QUIT"));
                }
            } catch (SocketTimeoutException e) {
                error("prober: no reply within 30 s");
            } catch (IOException e) {
                // a prober that was told 421 may find the connection closed under it: expected
                proberReplies.computeIfAbsent("closed", k -> new AtomicLong()).incrementAndGet();
            }
            pause(rnd.nextInt(20, 200));
        }
    }

    /** Records a prober's reply; false when the session is over (421, closed). */
    private boolean probeReply(SmtpClient.Response r) {
        if (r == null) {
            proberReplies.computeIfAbsent("closed", k -> new AtomicLong()).incrementAndGet();
            return false;
        }
        String first = r.raw().get(0);
        if (r.code() < 200 || r.code() > 599 || !first.matches("\\d{3}[ -].*")) {
            error("prober: not an SMTP reply: " + first);
            return false;
        }
        if (first.contains(" 4.3.0 ")) {
            error("prober: internal error: " + first);
        }
        proberReplies.computeIfAbsent(String.valueOf(r.code()), k -> new AtomicLong()).incrementAndGet();
        return r.code() != 421;
    }

    // ------------------------------------------------------------------ measuring

    private void sample(long t0) {
        try {
            long rss = -1;
            int threads = -1;
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).replace("kB", "").strip());
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).strip());
                }
            }
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
                fds = s.count();
            }
            samples.add(String.format(Locale.ROOT, "%.0f,%d,%d,%d,%d", (System.nanoTime() - t0) / 1e9, rss, fds, heapUsedKb("GC.heap_info"), threads));
        } catch (IOException e) {
            error("sampling: " + e.getMessage());
        }
    }

    private long liveHeapKb() {
        heapUsedKb("GC.run");
        return heapUsedKb("GC.heap_info");
    }

    private long heapUsedKb(String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = HEAP_USED.matcher(text);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** user -> soak id -> copies, from every Maildir under data/mail. */
    private Map<String, Map<String, Integer>> delivered() throws IOException {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        for (String u : USERS) {
            Map<String, Integer> ids = new HashMap<>();
            for (String sub : new String[] {"new", "cur"}) {
                Path d = data.resolve("mail").resolve(u).resolve(sub);
                if (!Files.isDirectory(d)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        try (InputStream in = Files.newInputStream(f)) {
                            Matcher m = SOAK_ID.matcher(new String(in.readNBytes(4096), StandardCharsets.US_ASCII));
                            if (m.find()) {
                                ids.merge(m.group(1), 1, Integer::sum);
                            }
                        }
                    }
                }
            }
            out.put(u, ids);
        }
        return out;
    }

    private void error(String what) {
        String key = what.length() > 120 ? what.substring(0, 120) : what;
        errors.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
