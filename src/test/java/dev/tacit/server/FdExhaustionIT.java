package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.Maildirs;
import dev.tacit.testing.TacitProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running out of file descriptors: the shaded jar runs under {@code ulimit -n 256}, and clients connect
 * until the process has no descriptor left. Every connection past that point is refused cleanly (a
 * 421 reply, then close; never a connection left hanging without a greeting), a session opened before
 * still gets its message accepted (the journal is already open), and when the clients leave the
 * server serves again and delivers everything, the deferred delivery included.
 *
 * <p>All clients come from 127.0.0.1, so the test raises limits.max_connections_per_client; the
 * global limit (2000) is far above what 256 descriptors allow.
 */
class FdExhaustionIT {

    private static final int FD_LIMIT = 256;
    private static final int MAX_CLIENTS = 600;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void outOfDescriptorsRefusesWith421AndRecovers() throws Exception {
        int port = External.freePort();
        Path config = TacitProcess.writeSite(dir, port, """
                admin_listen = "off"
                [limits]
                max_connections_per_client = 5000
                [queue]
                retry_initial = "1s"
                retry_max = "2s"
                """);
        Path log = dir.resolve("server.log");
        List<Socket> held = new ArrayList<>();
        try (TacitProcess p = TacitProcess.start(log, List.of(), FD_LIMIT, "serve", "--config", config.toString())) {
            p.awaitPort(port, 30_000);
            int baseline = p.openFds();

            // a session that starts before the exhaustion and sends its message during it
            SmtpClient early = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10));
            assertThat(early.read().code()).isEqualTo(220);
            early.command("EHLO early.example.net");
            assertThat(early.command("MAIL FROM:<early@example.org>").code()).isEqualTo(250);
            assertThat(early.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);

            int greeted = 0;
            List<String> refusals = new ArrayList<>();
            int silent = 0;
            for (int i = 0; i < MAX_CLIENTS && refusals.size() < 10 && silent == 0; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(5000);
                String first;
                try {
                    first = firstLine(s);
                } catch (SocketTimeoutException e) {
                    first = null;
                }
                if (first == null) {
                    silent++;
                    s.close();
                } else if (first.startsWith("220 ")) {
                    greeted++;
                    held.add(s);
                } else {
                    refusals.add(first);
                    assertThat(s.getInputStream().read()).as("closed after the refusal").isEqualTo(-1);
                    s.close();
                }
            }
            System.out.printf("fd exhaustion: baseline %d fds, %d sessions greeted, %d refused, %d silent, server at %d fds%n",
                    baseline, greeted, refusals.size(), silent, p.openFds());
            assertThat(silent).as("connections left without any reply").isZero();
            assertThat(refusals).isNotEmpty()
                    .allMatch(l -> l.equals("421 4.7.0 mail.example.com Too many connections; try again later"));
            assertThat(greeted).isGreaterThan(FD_LIMIT / 3);
            assertThat(p.process().isAlive()).isTrue();

            // the early session's message is accepted while no descriptor is free
            assertThat(early.command("DATA").code()).isEqualTo(354);
            assertThat(early.data("Subject: during\r\nX-Id: during\r\n\r\nsent while out of descriptors\r\n".getBytes(StandardCharsets.US_ASCII))
                    .code()).isEqualTo(250);
            early.close();

            for (Socket s : held) {
                s.close();
            }
            held.clear();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (p.openFds() > baseline + 20 && System.nanoTime() < until) {
                Thread.sleep(100);
            }

            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
                assertThat(c.read().code()).isEqualTo(220);
                c.command("EHLO after.example.net");
                assertThat(c.command("MAIL FROM:<after@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: after\r\nX-Id: after\r\n\r\nsent after recovery\r\n".getBytes(StandardCharsets.US_ASCII))
                        .code()).isEqualTo(250);
            }
            List<String> mail = new Maildirs(dir.resolve("mail")).await("gw", 2, Duration.ofSeconds(30));
            assertThat(mail).hasSize(2);
            assertThat(String.join("\n", mail)).contains("X-Id: during", "X-Id: after");
            assertThat(p.process().isAlive()).isTrue();
            p.stop();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** The first line the server sends (without CRLF), or null at end of stream. */
    private static String firstLine(Socket s) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = s.getInputStream().read()) >= 0; ) {
            if (b == '\n') {
                return sb.toString().stripTrailing();
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
