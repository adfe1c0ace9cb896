package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients in DATA at once, each with a body just under the size kept in memory (256 KB) and
 * never ending it: on the jar with a 64 MB heap, 300 of them would hold 75 MB of bodies in memory.
 * The spool's budget for bodies in memory makes the rest go to disk: the server keeps its heap, a
 * legitimate client's message is accepted and delivered, and nothing runs out of memory.
 *
 * <p>The clients come from 8 loopback addresses (limits.max_connections_per_client is 50).
 */
class SlowDataMemoryIT {

    private static final int CLIENTS = 300;
    private static final int BODY = 250 * 1024;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void bodiesHeldOpenInDataDoNotExhaustTheHeap() throws Exception {
        int port = External.freePort();
        Path config = TacitProcess.writeSite(dir, port, """
                admin_listen = "off"
                """);
        Path log = dir.resolve("server.log");
        List<Socket> held = new ArrayList<>();
        try (TacitProcess p = TacitProcess.start(log, List.of("-Xmx64m"), 0, "serve", "--config", config.toString())) {
            p.awaitPort(port, 30_000);
            byte[] start = ("EHLO held.example.net\r\nMAIL FROM:<held@example.org>\r\nRCPT TO:<gw@example.com>\r\nDATA\r\n"
                    + "Subject: held open\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] line = new byte[1000];
            Arrays.fill(line, (byte) 'y');
            line[998] = '\r';
            line[999] = '\n';
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.20." + (1 + i % 8), 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                held.add(s);
                OutputStream out = s.getOutputStream();
                out.write(start);
                for (int k = 0; k < BODY / line.length; k++) {
                    out.write(line);
                }
                out.flush();
            }
            Thread.sleep(2000); // let the server read what was sent
            assertThat(p.process().isAlive()).isTrue();
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(30))) {
                assertThat(c.read().code()).isEqualTo(220);
                c.command("EHLO legit.example.net");
                assertThat(c.command("MAIL FROM:<legit@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<tj@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: legit\r\n\r\nwhile 300 bodies are held open\r\n".getBytes(StandardCharsets.US_ASCII)).code())
                        .isEqualTo(250);
            }
            long rss = p.statusKb("VmRSS");
            for (Socket s : held) {
                close(s);
            }
            held.clear();
            String out = Files.readString(log);
            System.out.printf("slow DATA: %d clients holding %d KB each; server RSS %d MB with a 64 MB heap%n", CLIENTS, BODY >> 10, rss >> 10);
            assertThat(out).doesNotContain("OutOfMemoryError").doesNotContain("4.3.0");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // new/ is made before the message is renamed into it: wait for the file, not the folder
            Path tjNew = dir.resolve("mail/tj/new");
            while (countFiles(tjNew) == 0 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertThat(countFiles(tjNew)).isEqualTo(1);
            p.stop();
        } finally {
            for (Socket s : held) {
                close(s);
            }
        }
    }

    private static long countFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (var files = Files.list(folder)) {
            return files.count();
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
