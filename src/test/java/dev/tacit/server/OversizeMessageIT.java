package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100 MB message against the default 25 MB limit, on the shaded jar with a 48 MB heap (so a server
 * that held the message in memory would run out of it): declared with SIZE it is refused at MAIL
 * (RFC 1870 6.1) without a byte of it sent; sent anyway, it is read to its end, answered
 * {@code 552 5.3.4}, and leaves nothing in the spool. The session, the process and its memory are
 * fine afterwards, and the next message is delivered.
 */
class OversizeMessageIT {

    private static final long HUNDRED_MB = 100L << 20;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void hundredMegabytesOverSizeAreRefusedWithoutBeingHeldInMemory() throws Exception {
        int port = External.freePort();
        Path config = TacitProcess.writeSite(dir, port, """
                admin_listen = "off"
                """);
        Path log = dir.resolve("server.log");
        try (TacitProcess p = TacitProcess.start(log, List.of("-Xmx48m"), 0, "serve", "--config", config.toString())) {
            p.awaitPort(port, 30_000);
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(60))) {
                assertThat(c.read().code()).isEqualTo(220);
                assertThat(c.command("EHLO big.example.net").raw()).contains("250-SIZE 26214400");
                long rssBefore = p.statusKb("VmRSS");

                // declared: refused before DATA
                assertThat(c.command("MAIL FROM:<big@example.org> SIZE=" + HUNDRED_MB).raw())
                        .containsExactly("552 5.3.4 Message size exceeds fixed maximum message size (26214400)");

                // not declared: 100 MB streamed, read to the end, refused
                assertThat(c.command("MAIL FROM:<big@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                OutputStream out = c.socket().getOutputStream();
                out.write("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] line = new byte[1000];
                Arrays.fill(line, (byte) 'x');
                line[998] = '\r';
                line[999] = '\n';
                byte[] block = new byte[64 * line.length];
                for (int i = 0; i < 64; i++) {
                    System.arraycopy(line, 0, block, i * line.length, line.length);
                }
                long sent = 0;
                long vmHwmDuring = 0;
                for (int i = 0; sent < HUNDRED_MB; i++) {
                    out.write(block);
                    sent += block.length;
                    if (i % 256 == 0) {
                        vmHwmDuring = Math.max(vmHwmDuring, p.statusKb("VmRSS"));
                    }
                }
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(c.read().raw()).containsExactly("552 5.3.4 Message size exceeds fixed maximum message size (26214400)");

                // the session goes on, and the next message is accepted
                assertThat(c.command("MAIL FROM:<small@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: small\r\n\r\nafter the big one\r\n".getBytes(StandardCharsets.US_ASCII)).code())
                        .isEqualTo(250);
                long rssAfter = p.statusKb("VmRSS");
                System.out.printf("oversize: %d MB sent; server RSS %d MB before, at most %d MB while reading, %d MB after (heap capped at 48 MB)%n",
                        sent >> 20, rssBefore >> 10, vmHwmDuring >> 10, rssAfter >> 10);
                assertThat(vmHwmDuring - rssBefore).as("RSS growth while reading 100 MB, kB").isLessThan(64L << 10);
            }
            assertThat(p.process().isAlive()).isTrue();
            try (Stream<Path> bodies = Files.list(dir.resolve("spool/bodies"))) {
                assertThat(bodies).as("spilled body of the refused message").isEmpty();
            }
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
            p.stop();
        }
    }
}
