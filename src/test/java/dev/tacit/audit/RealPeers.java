package dev.tacit.audit;

import dev.tacit.testing.External;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts real MTAs on free loopback ports from their own directories (see peers.sh and
 * .ci/audit-peers.sh): Postfix and Exim extracted from Debian packages, sendmail from the installed
 * sendmail-bin. Every one knows example.com with the users postmaster, gw and tj. Stops exactly what
 * it started (by pid, or postfix's own stop for its own config directory).
 */
final class RealPeers implements AutoCloseable {

    static final Path PEERS = Path.of(System.getenv().getOrDefault("TACIT_PEERS", "/var/tmp/tacit-peers"));

    private final Path dir;
    private final int port;
    private final Process process;
    private final boolean postfix;

    private RealPeers(Path dir, int port, Process process, boolean postfix) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.postfix = postfix;
    }

    int port() {
        return port;
    }

    Target target() {
        return Target.of("127.0.0.1", port);
    }

    static Path script() {
        try {
            return Path.of(RealPeers.class.getResource("peers.sh").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void requireRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            if (External.ci()) {
                throw new AssertionError("the real-MTA tests need root (they start postfix, sendmail and exim)");
            }
            org.junit.jupiter.api.Assumptions.abort("not root");
        }
    }

    /** Run directories live in a root-owned folder that is not world-writable: sendmail refuses unsafe paths. */
    static final Path RUN = Path.of("/var/lib/tacit-audit-peers");

    static Path workDir(String name) throws IOException {
        Path base = RUN;
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name + "-");
    }

    static RealPeers postfix(boolean disableVrfy) throws Exception {
        requireRoot();
        External.require("postfix", PEERS.resolve("postfix/usr/sbin").toString());
        Path d = workDir("postfix");
        int port = External.freePort();
        sh(List.of("bash", script().toString(), "postfix-start", d.toString(), String.valueOf(port), disableVrfy ? "yes" : "no"));
        RealPeers p = new RealPeers(d, port, null, true);
        p.awaitPort();
        return p;
    }

    static RealPeers sendmail(String privacyFlags) throws Exception {
        requireRoot();
        Path sendmail = External.require("sendmail");
        External.require("m4");
        External.require("unshare");
        Path d = workDir("sendmail");
        int port = External.freePort();
        sh(List.of("bash", script().toString(), "sendmail-cf", d.toString(), String.valueOf(port), privacyFlags));
        // a private UTS namespace only (not network): sendmail sees the host name "mail", as in the oracle
        Process p = new ProcessBuilder("unshare", "-u", "sh", "-c",
                "hostname mail && exec " + sendmail + " -bD -C " + d.resolve("sendmail.cf"))
                .redirectErrorStream(true).redirectOutput(d.resolve("daemon.txt").toFile()).start();
        RealPeers r = new RealPeers(d, port, p, false);
        r.awaitPort();
        return r;
    }

    static RealPeers exim() throws Exception {
        requireRoot();
        Path exim = External.require("exim4", PEERS.resolve("exim/usr/sbin").toString());
        Path d = workDir("exim");
        int port = External.freePort();
        sh(List.of("bash", script().toString(), "exim-conf", d.toString(), String.valueOf(port)));
        Process p = new ProcessBuilder(exim.toString(), "-bdf", "-C", d.resolve("exim.conf").toString())
                .redirectErrorStream(true).redirectOutput(d.resolve("daemon.txt").toFile()).start();
        RealPeers r = new RealPeers(d, port, p, false);
        r.awaitPort();
        return r;
    }

    private static void sh(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(cmd + " failed: " + out);
        }
    }

    private void awaitPort() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (process != null && !process.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        String log = Files.exists(dir.resolve("daemon.txt")) ? Files.readString(dir.resolve("daemon.txt")) : "";
        close();
        throw new IOException("the server in " + dir + " did not listen on " + port + ": " + log);
    }

    @Override
    public void close() throws Exception {
        if (postfix) {
            sh(List.of("bash", script().toString(), "postfix-stop", dir.toString()));
        }
        if (process != null) {
            List<ProcessHandle> kids = new ArrayList<>(process.descendants().toList());
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            for (ProcessHandle k : kids) {
                k.destroy();
            }
        }
    }
}
