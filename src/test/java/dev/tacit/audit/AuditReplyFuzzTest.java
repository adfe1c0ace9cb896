package dev.tacit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tacit.audit.report.AuditHtml;
import dev.tacit.audit.report.AuditJson;
import dev.tacit.audit.report.AuditText;
import dev.tacit.findings.Report;
import dev.tacit.findings.ReportFormat;
import dev.tacit.smtp.SmtpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes what {@code tacit audit} does with the bytes a server sends: a server is not trusted, so no
 * reply may crash, hang or inject into the auditor or its reports.
 *
 * <ul>
 *   <li>{@code replies}: any bytes read as replies by {@link SmtpClient#read} (multi-line, bare LF,
 *       no code, overlong, cut off), then {@link Shape}, {@link Fingerprint}, {@link Oracle} and the
 *       EHLO keyword lookup on them. In memory, fast.</li>
 *   <li>{@code audit}: a whole {@link Auditor#audit} (greeting, EHLO, STARTTLS, the VRFY/EXPN/RCPT
 *       oracle, command probes, relay check, enumeration of a short wordlist, timing test) against a
 *       loopback server that answers every command with the next piece of the input (pieces split at
 *       NUL bytes; it answers anyway after 5 ms of silence and hangs up when the pieces run out).
 *       The report renders as text, JSON, HTML, SARIF and JUnit; the structured ones parse, and the
 *       HTML never carries a server's markup.</li>
 * </ul>
 */
class AuditReplyFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServerSocket server;
    private static volatile Queue<byte[]> script = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon(true).name("fuzz-peer").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Queue<byte[]> mine = script;
                    Thread.ofVirtual().start(() -> serve(s, mine));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    /** One connection: the next piece as greeting, then one piece per line received (or per 5 ms of silence). */
    private static void serve(Socket s, Queue<byte[]> pieces) {
        try (s) {
            s.setSoTimeout(5);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] next = pieces.poll();
            while (next != null) {
                out.write(next);
                out.flush();
                if (!awaitLine(in)) {
                    return;
                }
                next = pieces.poll();
            }
        } catch (IOException e) {
            // the auditor hung up or a TLS handshake met plain bytes
        }
    }

    /** Waits for the end of the client's next line; false at end of stream. A silence also counts. */
    private static boolean awaitLine(InputStream in) throws IOException {
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                return true;
            }
            if (b < 0) {
                return false;
            }
            if (b == '\n') {
                return true;
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/audit/replies.dict")
    void replies(byte[] data) throws IOException {
        List<SmtpClient.Response> responses = new ArrayList<>();
        try (SmtpClient c = new SmtpClient(new MemorySocket(data))) {
            for (int i = 0; i <= data.length; i++) {
                SmtpClient.Response r = c.read();
                if (r == null) {
                    break;
                }
                assertThat(r.raw()).isNotEmpty();
                responses.add(r);
            }
        }
        List<String> lines = new ArrayList<>();
        List<Observation> obs = new ArrayList<>();
        String[] names = {"xk3qz9w2m1ab", "postmaster", "gw", "q8d7c6b5a4zz"};
        Observation.Kind[] kinds = {Observation.Kind.CANARY, Observation.Kind.ROLE, Observation.Kind.KNOWN, Observation.Kind.CANARY};
        for (int i = 0; i < responses.size(); i++) {
            SmtpClient.Response r = responses.get(i);
            lines.addAll(r.raw());
            Shape.of(r, names[i % 4]).toString();
            obs.add(new Observation(names[i % 4], kinds[i % 4], "VRFY " + names[i % 4], r, r.nanos(), false));
        }
        Fingerprint fp = Fingerprint.identify(lines);
        assertThat(fp.describe()).isNotBlank();
        ProbeSession.keyword(lines, "STARTTLS");
        for (Method m : Method.values()) {
            MethodResult mr = Oracle.classify(m, obs, Duration.ofSeconds(2));
            assertThat(mr.verdict()).isNotNull();
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/audit/replies.dict")
    void audit(byte[] data) throws Exception {
        BugDetectors.allowNetworkConnections((host, port) -> host.equals("localhost") || host.startsWith("127."));
        Queue<byte[]> pieces = new ConcurrentLinkedQueue<>();
        int start = 0;
        for (int i = 0; i <= data.length && pieces.size() < 64; i++) {
            if (i == data.length || data[i] == 0) {
                pieces.add(java.util.Arrays.copyOfRange(data, start, i));
                start = i + 1;
            }
        }
        script = pieces;
        AuditOptions o = AuditOptions.defaults()
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .withKnown(List.of("gw"))
                .withUsers(List.of("alice", "gw", "postmaster"))
                .withTiming(true, 3)
                .withPace(1, 0)
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(4), 1)
                .withSender("fuzz.invalid", "");
        Instant t0 = Instant.now();
        TargetReport t = new Auditor(o, null).audit(Target.of("127.0.0.1", server.getLocalPort()));
        AuditReport report = new AuditReport(t0, Instant.now(), List.of(t));

        JSON.readTree(AuditJson.render(report));
        assertThat(AuditText.render(report)).isNotBlank();
        String html = AuditHtml.render(report).toLowerCase(Locale.ROOT);
        assertThat(html).as("server text reached the HTML report unescaped").doesNotContain("<script", "<img", "<iframe");
        Report r = new Report("tacit audit", "fuzz", null, report.findings(), List.of(), List.of(t.target().uri()), null);
        for (ReportFormat fmt : List.of(ReportFormat.SARIF, ReportFormat.JUNIT, ReportFormat.TEXT)) {
            StringWriter w = new StringWriter();
            fmt.writer().write(r, w);
            if (fmt == ReportFormat.SARIF) {
                JSON.readTree(w.toString());
            } else if (fmt == ReportFormat.JUNIT) {
                var f = DocumentBuilderFactory.newInstance();
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                f.newDocumentBuilder().parse(new ByteArrayInputStream(w.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** A connected-looking socket over a byte array: what the "server" sent, and a sink for the client. */
    private static final class MemorySocket extends Socket {
        private final InputStream in;
        private final OutputStream out = new ByteArrayOutputStream();

        MemorySocket(byte[] data) {
            this.in = new ByteArrayInputStream(data);
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public synchronized void close() {
            // nothing to release
        }
    }
}
