package dev.tacit.testing;

import dev.tacit.directory.PasswordHash;
import dev.tacit.server.ListenerRole;
import dev.tacit.smtp.Sasl;
import dev.tacit.smtp.SmtpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * A Tacit with TLS and AUTH for tests: a fresh self-signed certificate in PEM files, the demo users with
 * passwords (gw and tj; bf has none), a submission and a submissions listener, and clients that take
 * any certificate.
 */
public final class TlsFixture {

    private TlsFixture() {}

    public static final String GW_PASSWORD = "gw-secret-1776";
    public static final String TJ_PASSWORD = "pässwörd ✓ tj";

    /** The demo users, gw and tj with passwords hashed at a low cost (fast tests); or at the default cost. */
    public static String users(boolean defaultCost) {
        return TestServer.USERS.replace("gw:George Washington\n", "gw:George Washington::" + hash(GW_PASSWORD, defaultCost) + "\n")
                .replace("tj:Thomas Jefferson\n", "tj:Thomas Jefferson::" + hash(TJ_PASSWORD, defaultCost) + "\n");
    }

    private static String hash(String pw, boolean defaultCost) {
        byte[] b = pw.getBytes(StandardCharsets.UTF_8);
        return defaultCost ? PasswordHash.hash(b) : PasswordHash.hash(b, 1024, 1, 1);
    }

    /**
     * Writes a certificate into {@code dir/tls} and returns the config: {@code topLevel} lines first,
     * then submission and submissions listeners on free ports, then [tls] and {@code tables}.
     */
    public static String toml(Path dir, String topLevel, String tables) throws Exception {
        TestCerts.writePem(dir.resolve("tls"), "mail.example.com", "EC", false);
        return topLevel + "submission = [\"127.0.0.1:0\"]\nsubmissions = [\"127.0.0.1:0\"]\n"
                + "[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/key.pem\"\nhandshake_timeout = \"2s\"\n" + tables;
    }

    public static TestServer start(Path dir, String topLevel, String tables) throws Exception {
        return TestServer.start(dir, toml(dir, topLevel, tables), users(false), TestServer.ALIASES);
    }

    public static SSLSocketFactory anyCert() {
        try {
            return TestCerts.trustAll(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client on this listener that has read the greeting (over TLS on the submissions port). */
    public static SmtpClient greeted(TestServer ts, ListenerRole role) throws IOException {
        SmtpClient c = role == ListenerRole.SUBMISSIONS
                ? SmtpClient.connectTls("127.0.0.1", ts.port(role), Duration.ofSeconds(20), anyCert())
                : SmtpClient.connect("127.0.0.1", ts.port(role), Duration.ofSeconds(20));
        SmtpClient.Response g = c.read();
        if (g == null || g.code() != 220) {
            c.close();
            throw new IOException("no greeting: " + g);
        }
        return c;
    }

    /** STARTTLS on a greeted client that said EHLO; the TLS client to use from now on. */
    public static SmtpClient startTls(SmtpClient c) throws IOException {
        SmtpClient.Response r = c.command("STARTTLS");
        if (r == null || r.code() != 220) {
            throw new IOException("STARTTLS refused: " + r);
        }
        return c.startTls(anyCert(), "mail.example.com");
    }

    /** Greeted, EHLO, STARTTLS (unless implicit), EHLO again: ready for AUTH. */
    public static SmtpClient encrypted(TestServer ts, ListenerRole role) throws IOException {
        SmtpClient c = greeted(ts, role);
        c.command("EHLO client.example.net");
        if (role != ListenerRole.SUBMISSIONS) {
            c = startTls(c);
        }
        c.command("EHLO client.example.net");
        return c;
    }

    /** The AUTH PLAIN initial response for these credentials. */
    public static String plain(String authzid, String user, String password) {
        return Sasl.encode(authzid + "\0" + user + "\0" + password);
    }

    public static String plain(String user, String password) {
        return plain("", user, password);
    }

    /** The certificate a new TLS connection to this listener is shown. */
    public static X509Certificate presented(TestServer ts, ListenerRole role) throws Exception {
        X509Certificate[] seen = new X509Certificate[1];
        SSLSocketFactory f = TestCerts.trustAll(seen);
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(role), Duration.ofSeconds(20))) {
            c.read();
            c.command("EHLO client.example.net");
            c.command("STARTTLS");
            try (SmtpClient t = c.startTls(f, "mail.example.com")) {
                t.command("QUIT");
            }
        }
        return seen[0];
    }
}
