package dev.tacit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays the oracle's scenario files ({@code *.scn}, format in shared/oracle/replay.py) against a
 * server and compares the transcript with one recorded from real sendmail, after the same
 * normalisation replay.py applies (the server's host name, dates, queue ids, the greeting's product
 * text, the client name in the HELO reply). A Java copy of the comparison so the test needs no Python
 * and no shared folder.
 */
public final class SmtpScript {

    private static final int MAX_SHOWN = 200;
    private static final Pattern DATE = Pattern.compile(
            "(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
                    + "\\d{2}:\\d{2}(?::\\d{2})? ?(?:[+-]\\d{4}|[A-Z]{1,5})?(?: \\([A-Za-z0-9+-]+\\))?");
    private static final Pattern QID = Pattern.compile("\\b[0-9A-Za-x]{8}\\d{6}\\b");
    private static final Pattern VERSION = Pattern.compile("(?i)\\b(version|sendmail) \\d+(?:\\.\\d+)+\\S*");
    private static final Pattern BANNER = Pattern.compile("^(S~?: 220[ -])\\S+( ESMTP)?.*$");
    private static final Pattern BANNER_HOST = Pattern.compile("^S~?: 220[ -](\\S+)");

    private SmtpScript() {}

    /** Runs a scenario against host:port and returns the transcript lines (S:, C:, X:). */
    public static List<String> run(Path scenario, String host, int port, int timeoutMillis) throws IOException {
        List<String> out = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            Reader r = new Reader(s.getInputStream());
            OutputStream o = s.getOutputStream();
            boolean alive = readReply(r, out);
            for (String raw : Files.readAllLines(scenario, StandardCharsets.UTF_8)) {
                if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                    continue;
                }
                Matcher m = Pattern.compile("^(C|P|N|R|SLEEP|EOF):(?: ?)(.*)$").matcher(raw);
                if (!m.matches()) {
                    throw new IOException(scenario + ": bad scenario line: " + raw);
                }
                String op = m.group(1);
                String arg = m.group(2);
                switch (op) {
                    case "SLEEP" -> sleep((long) (Double.parseDouble(arg) * 1000));
                    case "R" -> {
                        for (int i = 0; i < Integer.parseInt(arg.strip()) && alive; i++) {
                            alive = readReply(r, out);
                        }
                    }
                    case "EOF" -> {
                        if (alive) {
                            out.add("C: <EOF>");
                            s.shutdownOutput();
                            alive = drain(r, out);
                        }
                    }
                    default -> {
                        if (!alive) {
                            out.add("# not sent (connection closed): " + op + ": " + arg);
                            continue;
                        }
                        byte[] data = expand(arg);
                        out.add((op.equals("N") ? "N: " : "C: ") + shown(data));
                        o.write(data);
                        o.write(op.equals("N") ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
                        o.flush();
                        if (!op.equals("P")) {
                            alive = readReply(r, out);
                        }
                    }
                }
            }
            if (alive) {
                s.setSoTimeout(3000);
                drain(r, out);
            }
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads lines until EOF or a timeout; false at EOF. */
    private static boolean drain(Reader r, List<String> out) throws IOException {
        while (true) {
            String[] l = r.line();
            if (l == null) {
                out.add("X: closed");
                return false;
            }
            if (l[0].equals("timeout")) {
                return true;
            }
            out.add(l[0] + ": " + l[1]);
        }
    }

    private static boolean readReply(Reader r, List<String> out) throws IOException {
        while (true) {
            String[] l = r.line();
            if (l == null) {
                out.add("X: closed");
                return false;
            }
            if (l[0].equals("timeout")) {
                out.add("X: timeout");
                return true;
            }
            out.add(l[0] + ": " + l[1]);
            if (l[0].equals("S.") || !l[1].matches("^(\\d{3}-|0\\d\\d[ -]).*")) {
                return true;
            }
        }
    }

    /** Line reader that keeps the difference between CRLF, bare LF and a partial last line. */
    private static final class Reader {
        private final InputStream in;

        Reader(InputStream in) {
            this.in = in;
        }

        /** {kind, escaped text}, {"timeout", ""}, or null at EOF. */
        String[] line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                int c;
                try {
                    c = in.read();
                } catch (SocketTimeoutException e) {
                    return new String[] {"timeout", ""};
                }
                if (c < 0) {
                    return b.size() == 0 ? null : new String[] {"S.", esc(b.toByteArray())};
                }
                if (c == '\n') {
                    byte[] l = b.toByteArray();
                    if (l.length > 0 && l[l.length - 1] == '\r') {
                        return new String[] {"S", esc(java.util.Arrays.copyOf(l, l.length - 1))};
                    }
                    return new String[] {"S~", esc(l)};
                }
                b.write(c);
            }
        }
    }

    static String esc(byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (byte x : data) {
            int b = x & 0xff;
            if (b == '\\') {
                sb.append("\\\\");
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }

    static byte[] expand(String text) {
        Matcher m = Pattern.compile("\\{\\{([^}]*)\\}\\}").matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String body = m.group(1);
            String rep;
            if (body.startsWith("REPEAT:")) {
                String[] p = body.split(":", 3);
                rep = p[1].repeat(Integer.parseInt(p[2]));
            } else {
                rep = switch (body) {
                    case "CR" -> "\r";
                    case "LF" -> "\n";
                    case "TAB" -> "\t";
                    case "NUL" -> "\0";
                    default -> throw new IllegalArgumentException("unknown {{" + body + "}}");
                };
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(rep));
        }
        m.appendTail(sb);
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static String shown(byte[] line) {
        if (line.length > MAX_SHOWN) {
            return esc(java.util.Arrays.copyOf(line, 60)) + "...{{len=" + line.length + "}}";
        }
        return esc(line);
    }

    /** replay.py's normalisation (without --strict and --logs). */
    public static List<String> normalize(List<String> lines) {
        List<String> hosts = new ArrayList<>();
        for (String l : lines) {
            Matcher m = BANNER_HOST.matcher(l);
            if (m.find()) {
                hosts.add(m.group(1));
                break;
            }
        }
        List<String> res = new ArrayList<>();
        boolean seenBanner = false;
        for (String l : lines) {
            if (l.startsWith("#") || l.startsWith("L:") || !l.matches("^(S|S~|S\\.|C|N|X): ?.*")) {
                continue;
            }
            if (l.startsWith("S") && !seenBanner) {
                Matcher m = BANNER.matcher(l);
                if (m.matches()) {
                    res.add(m.group(1) + "<HOST>" + (m.group(2) == null ? "" : m.group(2)) + " <BANNER>");
                    seenBanner = true;
                    continue;
                }
            }
            for (String h : hosts) {
                l = Pattern.compile(Pattern.quote(h), Pattern.CASE_INSENSITIVE).matcher(l).replaceAll("<HOST>");
            }
            l = DATE.matcher(l).replaceAll("<DATE>");
            l = QID.matcher(l).replaceAll("<QID>");
            l = VERSION.matcher(l).replaceAll(mr -> Matcher.quoteReplacement(mr.group(1) + " <VERSION>"));
            l = l.replaceAll("(250 2\\.0\\.0 )\\S+( Message accepted)", "$1<QID>$2");
            l = l.replaceAll("(Hello ).*?(, (?:pleased to meet you|accepting invalid domain name))", "$1<CLIENT>$2");
            l = l.replaceAll("(Lost input channel from ).*$", "$1<CLIENT>");
            l = l.replaceAll("(Rejecting open proxy |HTTP command ).*$", "$1<CLIENT>");
            res.add(l);
        }
        return res;
    }

    /** Null when equal after normalisation, else a readable diff (expected vs actual, line by line). */
    public static String diff(List<String> expected, List<String> actual) {
        List<String> a = normalize(expected);
        List<String> b = normalize(actual);
        if (a.equals(b)) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int n = Math.max(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            String x = i < a.size() ? a.get(i) : "<none>";
            String y = i < b.size() ? b.get(i) : "<none>";
            sb.append(x.equals(y) ? "  " : "- ").append(x).append('\n');
            if (!x.equals(y)) {
                sb.append("+ ").append(y).append('\n');
            }
        }
        return sb.toString();
    }

    /** Scenario name to its recorded transcript in {@code transcripts}, for every scenario that has one. */
    public static List<String> scenarioNames(Path scenarios) throws IOException {
        try (var s = Files.list(scenarios)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".scn"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        }
    }
}
