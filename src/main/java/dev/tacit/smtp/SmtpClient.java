package dev.tacit.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking SMTP client: send a line, read a (multi-line) reply. Used by the auditor, by
 * delivery to remote hosts and by tests. It parses replies leniently, because the servers it talks to
 * are not all well behaved; {@link Response#raw()} keeps every line as received.
 *
 * <p>Security: a server is not trusted. One reply may have at most {@link #MAX_REPLY_LINES} lines and
 * {@link #MAX_REPLY_BYTES} bytes; a server that goes on ("250-" forever) gets an IOException, not
 * the client's memory.
 */
public final class SmtpClient implements Closeable {

    /** One reply as received: code, the text lines (code and separator removed) and raw lines. */
    public record Response(int code, List<String> lines, List<String> raw, long nanos) {
        public String text() {
            return String.join("\n", lines);
        }

        /** The RFC 3463 enhanced code at the start of the first line, or null. */
        public String enhanced() {
            if (lines.isEmpty()) {
                return null;
            }
            String first = lines.get(0);
            int sp = first.indexOf(' ');
            String word = sp < 0 ? first : first.substring(0, sp);
            return word.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? word : null;
        }

        @Override
        public String toString() {
            return String.join("\n", raw);
        }
    }

    /** Lines in one reply before the client gives up (an EXPN of a large list stays well below). */
    public static final int MAX_REPLY_LINES = 100_000;
    /** Bytes in one reply before the client gives up. */
    public static final long MAX_REPLY_BYTES = 16L << 20;

    private final Socket socket;
    private final SmtpInput in;
    private final OutputStream out;

    public SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new SmtpInput(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    public static SmtpClient connect(String host, int port, Duration timeout) throws IOException {
        return connect(host, port, timeout, null);
    }

    /** Connects from a given local address (null: any), e.g. a second loopback address in tests. */
    public static SmtpClient connect(String host, int port, Duration timeout, String localAddress) throws IOException {
        Socket s = new Socket();
        try {
            if (localAddress != null) {
                s.bind(new InetSocketAddress(localAddress, 0));
            }
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            s.setTcpNoDelay(true);
            return new SmtpClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Connects with implicit TLS (RFC 8314 3.3, port 465): the handshake comes before the greeting. */
    public static SmtpClient connectTls(String host, int port, Duration timeout, SSLSocketFactory factory) throws IOException {
        SmtpClient plain = connect(host, port, timeout);
        try {
            return plain.startTls(factory, host);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * Layers TLS on this connection (after the server's 220 to STARTTLS, RFC 3207 4) and returns the
     * client to use from now on. Plaintext the server sent after its 220 is dropped, never read as a
     * reply (the STARTTLS command-injection defence).
     */
    public SmtpClient startTls(SSLSocketFactory factory, String host) throws IOException {
        return startTls(factory, host, null);
    }

    /** As {@link #startTls(SSLSocketFactory, String)}, with these parameters (protocols, endpoint identification). */
    public SmtpClient startTls(SSLSocketFactory factory, String host, SSLParameters params) throws IOException {
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, host, socket.getPort(), true);
        if (params != null) {
            tls.setSSLParameters(params);
        }
        tls.setSoTimeout(socket.getSoTimeout());
        tls.startHandshake();
        return new SmtpClient(tls);
    }

    public Socket socket() {
        return socket;
    }

    public void setTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** Reads one reply; null if the server closed the connection first. */
    public Response read() throws IOException {
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        int code = -1;
        long bytes = 0;
        while (true) {
            if (raw.size() >= MAX_REPLY_LINES || bytes > MAX_REPLY_BYTES) {
                throw new IOException("reply longer than " + MAX_REPLY_LINES + " lines or " + MAX_REPLY_BYTES + " bytes");
            }
            SmtpInput.Line line = in.readLine(65536, true);
            if (line == null) {
                if (raw.isEmpty()) {
                    return null;
                }
                break;
            }
            String s = new String(line.data(), StandardCharsets.UTF_8);
            bytes += line.length();
            raw.add(s);
            if (s.length() >= 3 && Character.isDigit(s.charAt(0)) && Character.isDigit(s.charAt(1)) && Character.isDigit(s.charAt(2))) {
                code = Integer.parseInt(s.substring(0, 3));
                boolean more = s.length() > 3 && s.charAt(3) == '-';
                lines.add(s.length() > 4 ? s.substring(4) : "");
                // sendmail's 050 notices (verbose mode) never end a reply
                if (!more && code != 50) {
                    break;
                }
            } else {
                lines.add(s);
                break;
            }
            if (line.end() == SmtpInput.End.EOF) {
                break;
            }
        }
        return new Response(code, lines, raw, System.nanoTime() - t0);
    }

    public void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends raw bytes as given (no CRLF added). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a command and reads its reply, timing the round trip. */
    public Response command(String line) throws IOException {
        long t0 = System.nanoTime();
        send(line);
        Response r = read();
        if (r == null) {
            return null;
        }
        return new Response(r.code(), r.lines(), r.raw(), System.nanoTime() - t0);
    }

    /** Sends a message body with dot-stuffing and the end marker; the body uses CRLF line ends. */
    public Response data(byte[] body) throws IOException {
        return data(new java.io.ByteArrayInputStream(body));
    }

    /** As {@link #data(byte[])}, streaming the body (delivery of spooled messages of any size). */
    public Response data(InputStream body) throws IOException {
        ByteArrayDotStuffer.write(body, out);
        out.flush();
        return read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Dot-stuffing for the client side (RFC 5321 4.5.2). */
    static final class ByteArrayDotStuffer {
        static void write(InputStream in, OutputStream out) throws IOException {
            boolean lineStart = true;
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (lineStart && buf[i] == '.') {
                        out.write(buf, start, i - start);
                        out.write('.');
                        start = i;
                    }
                    lineStart = buf[i] == '\n';
                }
                out.write(buf, start, n - start);
            }
            if (!lineStart) {
                out.write('\r');
                out.write('\n');
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }
}
