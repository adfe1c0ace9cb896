import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * RCPT latency under load, for bench/compare.sh: C persistent sessions, each looping
 * MAIL, RCPT (a real user), RSET for a bounded time; prints the RCPT rate and latency percentiles.
 * Run with the java launcher: java bench/RcptLatency.java PORT CONC SECONDS RCPT
 */
public class RcptLatency {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        int conc = Integer.parseInt(a[1]);
        long until = System.nanoTime() + (long) (Double.parseDouble(a[2]) * 1e9);
        String rcpt = a[3];
        List<Long> all = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < conc; i++) {
                fs.add(pool.submit(() -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                        OutputStream out = s.getOutputStream();
                        reply(in);
                        cmd(out, in, "EHLO bench.example.net");
                        List<Long> mine = new ArrayList<>();
                        while (System.nanoTime() < until && mine.size() < 1_000_000) {
                            cmd(out, in, "MAIL FROM:<bench@example.org>");
                            long t0 = System.nanoTime();
                            String r = cmd(out, in, "RCPT TO:<" + rcpt + ">");
                            mine.add(System.nanoTime() - t0);
                            if (!r.startsWith("250")) {
                                throw new IllegalStateException(r);
                            }
                            cmd(out, in, "RSET");
                        }
                        cmd(out, in, "QUIT");
                        all.addAll(mine);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        List<Long> v = new ArrayList<>(all);
        Collections.sort(v);
        double secs = Double.parseDouble(a[2]);
        System.out.printf("rcpts=%d rate=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f%n", v.size(), v.size() / secs,
                v.get(v.size() / 2) / 1e6, v.get((int) (v.size() * 0.99)) / 1e6, v.get(v.size() - 1) / 1e6);
    }

    static String cmd(OutputStream out, BufferedReader in, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in);
    }

    static String reply(BufferedReader in) throws Exception {
        String l;
        String first = null;
        while ((l = in.readLine()) != null) {
            if (first == null) {
                first = l;
            }
            if (l.length() < 4 || l.charAt(3) != '-') {
                break;
            }
        }
        return first == null ? "" : first;
    }
}
