package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read deadline on a real loopback connection, with the sweep called by hand. */
class ReadDeadlineTest {

    private ServerSocket listener;
    private Socket client;
    private Socket server;

    @BeforeEach
    void connect() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        server = listener.accept();
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        listener.close();
    }

    @Test
    void aReadPastItsDeadlineIsCutAndThrowsSocketTimeout() throws Exception {
        ReadDeadline d = new ReadDeadline(server);
        d.timeout(Duration.ofMillis(50));
        InputStream in = d.wrap(server.getInputStream());
        CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
            try {
                in.read(new byte[16]);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(20);
        assertThat(d.expire(System.nanoTime())).as("not due yet").isFalse();
        assertThat(d.expire(System.nanoTime() + TimeUnit.SECONDS.toNanos(1))).isTrue();
        assertThat(read.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketTimeoutException.class);
        assertThat(d.expire(System.nanoTime() + TimeUnit.SECONDS.toNanos(2))).as("cut once").isFalse();
        // the output still works, for the 421
        server.getOutputStream().write('x');
        assertThat(client.getInputStream().read()).isEqualTo('x');
    }

    @Test
    void aReadThatHasReturnedIsNeverCutForItsOldDeadline() throws Exception {
        ReadDeadline d = new ReadDeadline(server);
        d.timeout(Duration.ofMillis(50));
        InputStream in = d.wrap(server.getInputStream());
        client.getOutputStream().write("ab".getBytes());
        assertThat(in.read()).isEqualTo('a');
        assertThat(d.expire(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isFalse();
        assertThat(in.read()).isEqualTo('b');
        client.getOutputStream().write('c');
        assertThat(in.read(new byte[4])).isEqualTo(1);
    }

    @Test
    void noTimeoutMeansNoDeadline() throws Exception {
        ReadDeadline d = new ReadDeadline(server);
        d.timeout(Duration.ZERO);
        InputStream in = d.wrap(server.getInputStream());
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return in.read();
            } catch (Exception e) {
                return -2;
            }
        });
        Thread.sleep(50);
        assertThat(d.expire(System.nanoTime() + TimeUnit.DAYS.toNanos(1))).isFalse();
        client.getOutputStream().write('z');
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo((int) 'z');
    }

    @Test
    void theClientClosingIsEofNotATimeout() throws Exception {
        ReadDeadline d = new ReadDeadline(server);
        d.timeout(Duration.ofSeconds(30));
        InputStream in = d.wrap(server.getInputStream());
        client.close();
        assertThat(in.read(new byte[8])).isEqualTo(-1);
    }
}
