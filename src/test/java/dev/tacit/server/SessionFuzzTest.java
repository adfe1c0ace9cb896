package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tacit.policy.SmtpPolicy;
import dev.tacit.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes a whole SMTP session against a real server on loopback: the client's bytes (pipelined, then
 * the client half-closes) go through the listener, the session loop, every command handler, the
 * policy, the DATA reader, the spool and delivery. Invariants: every reply line is {@code NNN SP} or
 * {@code NNN -} text ending in CRLF, valid UTF-8, never an internal error (4.3.0, which is what the
 * session answers when a handler throws); the session ends when the input does; the server keeps
 * serving.
 *
 * <p>The first input byte picks the server: PrivacyOptions "public" (VRFY/EXPN answered, more code
 * reached) or the default goaway with the enumeration defence. The input is cut before the command
 * that would reach one of sendmail's slow-down limits (HELO, VRFY/EXPN, ETRN), which sleep by design
 * and would only slow the fuzzer; the latency envelope and the guard are off for the same reason.
 */
class SessionFuzzTest {

    private static Path dir;
    private static TestServer[] servers;
    private static int runs;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("tacit-session-fuzz");
        String common = """
                log_level = 0
                [log]
                stdout = false
                [limits]
                max_connections_per_client = 10000
                max_noop_commands = 1000000
                command_timeout = "10s"
                data_timeout = "10s"
                max_message_size = "64K"
                [enumeration]
                latency = "0ms"
                jitter = "0ms"
                [guard]
                enabled = false
                [queue]
                fsync = false
                """;
        servers = new TestServer[] {
            TestServer.start(dir.resolve("public"), "privacy_options = \"public\"\n" + common),
            TestServer.start(dir.resolve("goaway"), common)
        };
    }

    @AfterAll
    static void stop() throws IOException {
        for (TestServer s : servers) {
            s.close();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/smtp/smtp.dict")
    void session(byte[] input) throws Exception {
        // Jazzer's SSRF detector (loaded with the fuzz test): this target talks to its own loopback servers
        BugDetectors.allowNetworkConnections((host, port) -> host.equals("localhost") || host.startsWith("127."));
        if (input.length == 0) {
            return;
        }
        TestServer server = servers[input[0] & 1];
        byte[] data = belowSlowdownLimits(Arrays.copyOfRange(input, 1, input.length));
        byte[] replies = converse(server.port(), data);
        checkReplies(replies, data);
        if (++runs % 2000 == 0) {
            clearMail();
        }
    }

    /** Sends everything at once, half-closes, and reads until the server closes (bounded by a timeout). */
    private static byte[] converse(int port, byte[] data) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the server closed first (421 after too many bad commands, an overlong line)
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                    assertThat(got.size()).as("reply bytes").isLessThan(4 << 20);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the session did not end within 20 s of the client's input ending; got:\n" + got, e);
            } catch (SocketException e) {
                // a reset after the server closed with input unread: what arrived is still checked
            }
            writer.join(20_000);
            return got.toByteArray();
        }
    }

    static void checkReplies(byte[] raw, byte[] sent) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("replies are not valid UTF-8", e);
        }
        String context = "client sent: " + new String(sent, StandardCharsets.ISO_8859_1) + "\nserver sent:\n" + text;
        assertThat(text).as(context).startsWith("220 ");
        String[] lines = text.split("\r\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String l = lines[i];
            assertThat(l).as(context).matches("[2-5]\\d\\d[ -][^\r\n]*");
            assertThat(l).as(context).doesNotContain(" 4.3.0 ");
        }
        // the last piece is empty (every reply ends in CRLF) unless a reset cut the stream
        assertThat(lines[lines.length - 1].length()).as(context).isLessThan(1024);
    }

    /**
     * Cuts the input before the HELO/EHLO, VRFY/EXPN or ETRN that would reach sendmail's limit
     * (SmtpPolicy.MAX_*): from there on every such command sleeps seconds, by design.
     */
    static byte[] belowSlowdownLimits(byte[] data) {
        int helo = 0;
        int vrfy = 0;
        int etrn = 0;
        int start = 0;
        while (start < data.length) {
            int lf = start;
            while (lf < data.length && data[lf] != '\n') {
                lf++;
            }
            String verb = verb(data, start, lf);
            switch (verb) {
                case "HELO", "EHLO" -> helo++;
                case "VRFY", "EXPN" -> vrfy++;
                case "ETRN" -> etrn++;
                default -> { }
            }
            if (helo >= SmtpPolicy.MAX_HELO || vrfy >= SmtpPolicy.MAX_VRFY || etrn >= SmtpPolicy.MAX_ETRN) {
                return Arrays.copyOf(data, start);
            }
            start = lf + 1;
        }
        return data;
    }

    private static String verb(byte[] d, int from, int to) {
        int i = from;
        while (i < to && (d[i] == ' ' || d[i] == '\t')) {
            i++;
        }
        int s = i;
        while (i < to && d[i] != ' ' && d[i] != '\t' && d[i] != '\r') {
            i++;
        }
        return new String(d, s, i - s, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    /** Delivered test mail is not needed; keep the temporary folder small over a long fuzzing run. */
    private static void clearMail() throws IOException {
        for (TestServer s : servers) {
            Path mail = s.dataDir().resolve("mail");
            if (!Files.isDirectory(mail)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(mail)) {
                walk.filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("new"))
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
