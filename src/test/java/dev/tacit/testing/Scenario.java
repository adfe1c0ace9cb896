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
 * Replays the oracle's scenario files (the format of shared/oracle/replay.py: {@code C:}, {@code P:},
 * {@code N:}, {@code R:}, {@code SLEEP:}, {@code DRAIN:}, {@code EOF:} and the {@code {{REPEAT}}},
 * {@code {{CR}}}... expansions) against a server, producing a transcript in the same format as the
 * recordings, so Tacit's answers can be compared with real sendmail's line by line.
 */
public final class Scenario {

    private Scenario() {}

    private static final Pattern REPEAT = Pattern.compile("\\{\\{REPEAT:(.*?):(\\d+)\\}\\}");

    static String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(sb);
        return sb.toString().replace("{{CR}}", "\r").replace("{{LF}}", "\n").replace("{{TAB}}", "\t").replace("{{NUL}}", "\0");
    }

    /** replay.py's esc(): printable ASCII as is, a backslash doubled, anything else as \xNN. */
    public static String esc(byte[] data, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            int b = data[i] & 0xff;
            if (b == 0x5c) {
                sb.append("\\\\");
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }

    static String shown(String sent) {
        byte[] b = sent.getBytes(StandardCharsets.ISO_8859_1);
        String e = esc(b, b.length);
        if (e.length() > 200) {
            return e.substring(0, 60) + "...{{len=" + b.length + "}}";
        }
        return e;
    }

    /** Runs a scenario file against host:port; returns the transcript lines (no comments). */
    public static List<String> run(Path scenario, String host, int port) throws IOException {
        List<String> out = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(30_000);
            Reader r = new Reader(s.getInputStream(), out);
            OutputStream o = s.getOutputStream();
            if (!r.reply()) {
                return out;
            }
            for (String raw : Files.readAllLines(scenario, StandardCharsets.UTF_8)) {
                if (raw.isBlank() || raw.startsWith("#")) {
                    continue;
                }
                int colon = raw.indexOf(':');
                String kind = raw.substring(0, colon);
                String arg = raw.substring(colon + 1);
                if (arg.startsWith(" ")) {
                    arg = arg.substring(1);
                }
                switch (kind) {
                    case "C", "N", "P" -> {
                        String text = expand(arg);
                        out.add("C: " + shown(text));
                        o.write((text + (kind.equals("N") ? "\n" : "\r\n")).getBytes(StandardCharsets.ISO_8859_1));
                        o.flush();
                        if (!kind.equals("P") && !r.reply()) {
                            return out;
                        }
                    }
                    case "R" -> {
                        for (int i = 0; i < Integer.parseInt(arg.strip()); i++) {
                            if (!r.reply()) {
                                return out;
                            }
                        }
                    }
                    case "SLEEP" -> sleep((long) (Double.parseDouble(arg.strip()) * 1000));
                    case "DRAIN" -> {
                        r.drain(2000);
                        return out;
                    }
                    case "EOF" -> {
                        s.shutdownOutput();
                        r.drain(30_000);
                        return out;
                    }
                    default -> throw new IllegalArgumentException(scenario + ": unknown directive " + kind);
                }
            }
            r.drain(2000);
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

    /** Reads server lines, recording them; a reply ends at a line that is not "NNN-" and not a 050 notice. */
    private static final class Reader {
        private final InputStream in;
        private final List<String> out;
        private boolean closed;

        Reader(InputStream in, List<String> out) {
            this.in = in;
            this.out = out;
        }

        /** Reads one reply; false when the server closed or went silent (recorded as X:). */
        boolean reply() throws IOException {
            while (true) {
                String line = line();
                if (line == null) {
                    return false;
                }
                String text = line.substring(line.indexOf(": ") + 2);
                boolean more = text.length() >= 4 && text.charAt(3) == '-';
                boolean notice = text.startsWith("050");
                if (!more && !notice) {
                    return true;
                }
            }
        }

        void drain(int idleMs) throws IOException {
            while (!closed) {
                if (line(idleMs) == null) {
                    return;
                }
            }
        }

        private String line() throws IOException {
            return line(30_000);
        }

        /** One line as recorded (S:, S~:, S.:); null after recording X: closed / X: timeout. */
        private String line(int timeoutMs) throws IOException {
            if (closed) {
                return null;
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (true) {
                int b;
                try {
                    b = in.read();
                } catch (SocketTimeoutException e) {
                    b = -2;
                }
                if (b == -2 || System.currentTimeMillis() > deadline) {
                    if (buf.size() > 0) {
                        out.add("S.: " + esc(buf.toByteArray(), buf.size()));
                    }
                    out.add("X: timeout");
                    closed = true;
                    return null;
                }
                if (b < 0) {
                    if (buf.size() > 0) {
                        out.add("S.: " + esc(buf.toByteArray(), buf.size()));
                    }
                    out.add("X: closed");
                    closed = true;
                    return null;
                }
                if (b == '\n') {
                    byte[] d = buf.toByteArray();
                    boolean crlf = d.length > 0 && d[d.length - 1] == '\r';
                    String l = (crlf ? "S: " : "S~: ") + esc(d, crlf ? d.length - 1 : d.length);
                    out.add(l);
                    return l;
                }
                buf.write(b);
            }
        }
    }
}
