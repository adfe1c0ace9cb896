package dev.tacit.audit;

import dev.tacit.smtp.SmtpClient;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One SMTP connection to a target, opened the way a careful client would: greeting, EHLO (HELO if
 * refused), STARTTLS when offered (RFC 3207) and EHLO again. Every command goes through
 * {@link #probe} so that timing and timeouts are measured in one place.
 *
 * <p>Security: the auditor does not authenticate servers: certificates are accepted as presented and
 * only recorded, because the point is to see what any client sees. It never sends AUTH or DATA. A
 * reply that does not arrive within the read timeout breaks the session (a late reply would be
 * taken for the next command's).
 */
public final class ProbeSession implements Closeable {

    private SmtpClient client;
    private final Transcript transcript;
    private final boolean record;
    private SmtpClient.Response banner;
    private List<String> ehloBeforeTls = List.of();
    private List<String> ehlo = List.of();
    private SmtpClient.Response ehloReply;
    private boolean heloOnly;
    private String tls;         // "TLSv1.3 TLS_AES_128_GCM_SHA256", or null
    private String tlsPeer;
    private String tlsError;
    private boolean broken;

    private ProbeSession(SmtpClient client, Transcript transcript, boolean record) {
        this.client = client;
        this.transcript = transcript;
        this.record = record;
    }

    /** Connects and greets; throws when the server cannot be reached or refuses the session. */
    public static ProbeSession open(Target t, AuditOptions o, Transcript transcript, boolean record) throws IOException {
        SmtpClient c = t.implicitTls()
                ? SmtpClient.connectTls(t.host(), t.port(), o.connectTimeout(), trustAll())
                : SmtpClient.connect(t.host(), t.port(), o.connectTimeout());
        ProbeSession s = new ProbeSession(c, transcript, record);
        try {
            c.setTimeout(o.readTimeout());
            if (t.implicitTls()) {
                s.noteTls();
            }
            s.greet(t, o);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void greet(Target t, AuditOptions o) throws IOException {
        banner = read();
        if (banner == null) {
            throw new IOException("closed the connection before the greeting");
        }
        if (banner.code() != 220) {
            throw new IOException("refused the session: " + String.join(" ", banner.raw()));
        }
        sayHello(o);
        ehloBeforeTls = ehlo;
        if (!t.implicitTls() && o.startTls() && hasKeyword("STARTTLS")) {
            SmtpClient.Response r = command("STARTTLS");
            if (r != null && r.code() == 220) {
                try {
                    client = client.startTls(trustAll(), t.host());
                    noteTls();
                    sayHello(o);
                } catch (IOException e) {
                    tlsError = e.getMessage();
                    throw new IOException("STARTTLS handshake failed: " + e.getMessage(), e);
                }
            } else {
                tlsError = r == null ? "no reply to STARTTLS" : "STARTTLS refused: " + r.raw().get(0);
            }
        }
    }

    private void sayHello(AuditOptions o) throws IOException {
        SmtpClient.Response r = command("EHLO " + o.helo());
        if (r != null && r.code() == 250) {
            ehloReply = r;
            ehlo = r.lines().size() > 1 ? List.copyOf(r.lines().subList(1, r.lines().size())) : List.of();
            return;
        }
        r = command("HELO " + o.helo());
        if (r == null || r.code() != 250) {
            throw new IOException("refused HELO: " + (r == null ? "connection closed" : r.raw().get(0)));
        }
        ehloReply = r;
        heloOnly = true;
        ehlo = List.of();
    }

    private void noteTls() {
        if (client.socket() instanceof SSLSocket ssl) {
            SSLSession ss = ssl.getSession();
            tls = ss.getProtocol() + " " + ss.getCipherSuite();
            try {
                if (ss.getPeerCertificates().length > 0 && ss.getPeerCertificates()[0] instanceof X509Certificate x) {
                    tlsPeer = x.getSubjectX500Principal().getName();
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                tlsPeer = null;
            }
            if (record) {
                transcript.note("TLS established: " + tls);
            }
        }
    }

    /** Sends one command and waits for its reply, recording both. Null reply: closed or timed out. */
    public Observation probe(String name, Observation.Kind kind, String line) {
        long t0 = System.nanoTime();
        boolean timedOut = false;
        SmtpClient.Response r = null;
        if (!broken) {
            try {
                r = command(line);
            } catch (SocketTimeoutException e) {
                timedOut = true;
                broken = true;
                if (record) {
                    transcript.note("no reply within the time limit");
                }
            } catch (IOException e) {
                broken = true;
                if (record) {
                    transcript.note("connection lost: " + e.getMessage());
                }
            }
        }
        return new Observation(name, kind, line, r, System.nanoTime() - t0, timedOut);
    }

    /** Sends a command and reads the reply; null if the server closed the connection. */
    public SmtpClient.Response command(String line) throws IOException {
        if (record) {
            transcript.client(line);
        }
        SmtpClient.Response r;
        try {
            r = client.command(line);
        } catch (IOException e) {
            broken = true;
            throw e;
        }
        if (r == null) {
            broken = true;
            if (record) {
                transcript.note("connection closed by the server");
            }
        } else {
            if (record) {
                transcript.server(r.raw());
            }
            if (r.code() == 421) {
                broken = true;
            }
        }
        return r;
    }

    private SmtpClient.Response read() throws IOException {
        SmtpClient.Response r = client.read();
        if (r != null && record) {
            transcript.server(r.raw());
        }
        return r;
    }

    public boolean hasKeyword(String kw) {
        return keyword(ehlo, kw) != null;
    }

    /** The EHLO line starting with this keyword (case-insensitive), or null. */
    public static String keyword(List<String> ehlo, String kw) {
        String k = kw.toUpperCase(Locale.ROOT);
        for (String l : ehlo) {
            String u = l.toUpperCase(Locale.ROOT);
            if (u.equals(k) || u.startsWith(k + " ") || u.startsWith(k + "=")) {
                return l;
            }
        }
        return null;
    }

    public void quit() {
        if (!broken) {
            try {
                command("QUIT");
            } catch (IOException e) {
                // the server hung up first; nothing to do
            }
        }
        close();
    }

    public boolean broken() {
        return broken;
    }

    public SmtpClient.Response banner() {
        return banner;
    }

    public SmtpClient.Response ehloReply() {
        return ehloReply;
    }

    public List<String> ehlo() {
        return ehlo;
    }

    public List<String> ehloBeforeTls() {
        return ehloBeforeTls;
    }

    public boolean heloOnly() {
        return heloOnly;
    }

    public String tls() {
        return tls;
    }

    public String tlsPeer() {
        return tlsPeer;
    }

    public String tlsError() {
        return tlsError;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing a dead socket
        }
    }

    private static volatile SSLSocketFactory trustAll;

    /** A client TLS factory that records but does not check the server's certificate (see the class note). */
    static SSLSocketFactory trustAll() {
        if (trustAll == null) {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                }}, new SecureRandom());
                trustAll = ctx.getSocketFactory();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("no TLS in this JDK", e);
            }
        }
        return trustAll;
    }

    static List<String> copy(List<String> l) {
        return new ArrayList<>(l);
    }
}
