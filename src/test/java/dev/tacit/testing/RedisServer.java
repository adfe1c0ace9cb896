package dev.tacit.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real redis-server on a free loopback port, no persistence, for tests that share counters. */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static RedisServer start(Path dir) throws Exception {
        Path bin = External.require("redis-server");
        int port = External.freePort();
        Process p = new ProcessBuilder(bin.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServer r = new RedisServer(p, port);
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return r;
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + p.exitValue());
                }
                Thread.sleep(50);
            }
        }
        r.close();
        throw new IllegalStateException("redis-server did not start");
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops it at once, as an outage would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
