package dev.tacit.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that never ends its reply ("250-" line after line) costs the client one bounded reply,
 * then an IOException, never its memory; the auditor treats that as a broken connection.
 */
class SmtpClientLimitsTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anEndlessMultiLineReplyIsCutOff() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().daemon(true).start(() -> {
                try (Socket s = ss.accept()) {
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = "250-endless\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < 10 * SmtpClient.MAX_REPLY_LINES / 1000; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // the client hung up: what the test expects
                }
            });
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", ss.getLocalPort(), Duration.ofSeconds(20))) {
                assertThatThrownBy(c::read).isInstanceOf(IOException.class).hasMessageContaining("reply longer than");
            }
            server.join(20_000);
            assertThat(server.isAlive()).isFalse();
        }
    }
}
