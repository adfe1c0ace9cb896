package dev.tacit.smtp;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of TLS: the current certificate, reloaded without a restart when its files change
 * (renewals by certbot or acme.sh replace both files), and the layering of TLS over an accepted socket
 * for STARTTLS (RFC 3207) and implicit TLS (RFC 8314 3.3).
 *
 * <p>The files are looked at, at most once a second, when a handshake is about to start. A new pair
 * that does not load (half written, key and certificate not matching) is not used: the old one stays
 * in force and the problem is logged once per change.
 *
 * <p>Config keys: tls.cert, tls.key.
 */
public final class ServerTls {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

    private final Path certFile;
    private final Path keyFile;
    private volatile State state;
    private volatile long lastCheck = System.nanoTime();
    private volatile String lastStamp;

    private record State(SSLContext context, SSLParameters parameters, X509Certificate leaf, String stamp) {}

    private ServerTls(Path certFile, Path keyFile, State state) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.state = state;
        this.lastStamp = state.stamp;
    }

    /** Loads the pair; the message of the exception names the file at fault. */
    public static ServerTls load(Path certFile, Path keyFile) throws IOException {
        return new ServerTls(certFile, keyFile, read(certFile, keyFile));
    }

    private static State read(Path certFile, Path keyFile) throws IOException {
        String stamp = stamp(certFile, keyFile);
        Tls.Material m = Tls.load(certFile, keyFile);
        SSLContext ctx = Tls.serverContext(m);
        return new State(ctx, Tls.parameters(ctx), m.leaf(), stamp);
    }

    /** Size, modification time and file key of both files: any change means "read them again". */
    private static String stamp(Path certFile, Path keyFile) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path p : new Path[] {certFile, keyFile}) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            sb.append(a.size()).append('/').append(a.lastModifiedTime().toMillis()).append('/').append(a.fileKey()).append(';');
        }
        return sb.toString();
    }

    /**
     * Reads the files again when they changed since the pair in use was loaded; returns true when a
     * new pair is now in use.
     */
    public boolean reloadIfChanged() {
        long now = System.nanoTime();
        if (now - lastCheck < CHECK_EVERY_NANOS) {
            return false;
        }
        synchronized (this) {
            if (now - lastCheck < CHECK_EVERY_NANOS) {
                return false;
            }
            lastCheck = now;
            String stamp;
            try {
                stamp = stamp(certFile, keyFile);
            } catch (IOException e) {
                warnOnce("?" + e.getMessage(), "cannot read " + certFile + " or " + keyFile + ": " + e + "; keeping the certificate in use");
                return false;
            }
            if (stamp.equals(state.stamp)) {
                return false;
            }
            try {
                State fresh = read(certFile, keyFile);
                state = fresh;
                lastStamp = fresh.stamp;
                log.info("TLS certificate reloaded from {}: {}, valid until {}", certFile, fresh.leaf.getSubjectX500Principal(),
                        fresh.leaf.getNotAfter().toInstant());
                return true;
            } catch (IOException e) {
                warnOnce(stamp, "new TLS certificate not used: " + e.getMessage() + "; keeping the one in use");
                return false;
            }
        }
    }

    private void warnOnce(String stamp, String message) {
        if (!stamp.equals(lastStamp)) {
            lastStamp = stamp;
            log.warn(message);
        }
    }

    /**
     * Layers TLS over an accepted connection, as the server; the handshake has not happened yet.
     * Bytes the client sent before are not handed to TLS (nothing read ahead is reused).
     */
    public SSLSocket wrap(Socket plain) throws IOException {
        reloadIfChanged();
        State s = state;
        SSLSocket tls = (SSLSocket) s.context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        tls.setUseClientMode(false);
        tls.setSSLParameters(s.parameters);
        return tls;
    }
}
