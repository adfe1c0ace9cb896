package dev.tacit.delivery;

import dev.tacit.smtp.DsnParameters;
import dev.tacit.smtp.SmtpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a message to the recipients of one domain over SMTP (RFC 5321): to the domain's MX hosts
 * in order ({@link MxResolver}), or to a configured smarthost. One connection per message and domain,
 * at most {@code delivery.max_connections_per_domain} at once per domain.
 *
 * <p>Per session: the greeting, EHLO (HELO if refused), STARTTLS when offered (opportunistic, RFC
 * 3207: the certificate is not checked and a failed handshake is retried in plain text, as RFC 7435
 * allows), then MAIL, every RCPT and DATA, pipelined when the server offers PIPELINING (RFC 2920).
 * The DSN parameters go on to servers that offer DSN (RFC 3461 5.2); to others the recipients who
 * asked for a success notice get a "relayed" one. Each recipient gets the server's own answer:
 * 5xx is final, 4xx is retried. A host that cannot be reached, greets with an error, or fails before
 * MAIL is skipped for the next one.
 *
 * <p>Smarthost: TLS is required (STARTTLS, or implicit TLS on connect, RFC 8314) and its certificate
 * is verified against the configured CA file or the JDK's trust store and the host name; AUTH PLAIN or
 * LOGIN (RFC 4954) is sent only inside TLS. A smarthost that lacks TLS or refuses the credentials
 * defers the mail: a configuration error must not bounce it.
 *
 * <p>Security: replies are parsed leniently but kept to one line in logs and DSNs; message bodies are
 * streamed from the spool, never held whole in memory.
 *
 * <p>Config keys: delivery.smarthost, delivery.smarthost_tls, delivery.smarthost_user,
 * delivery.smarthost_password, delivery.smarthost_ca_file, delivery.connect_timeout,
 * delivery.command_timeout, delivery.max_connections_per_domain (and MxResolver's).
 */
public final class SmtpDelivery {

    private static final Logger log = LoggerFactory.getLogger(SmtpDelivery.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public enum TlsMode { STARTTLS, IMPLICIT }

    /** All outbound mail through one relay. {@code trust}: verifies its certificate (required TLS). */
    public record Smarthost(String host, int port, TlsMode tls, String user, String password, SSLContext trust) {}

    public record Settings(String helo, Duration connectTimeout, Duration commandTimeout, Smarthost smarthost) {}

    private final Settings settings;
    private final MxResolver resolver;
    private final DomainLimiter limiter;
    private final SSLContext anyCert;

    public SmtpDelivery(Settings settings, MxResolver resolver, DomainLimiter limiter) {
        this.settings = settings;
        this.resolver = resolver;
        this.limiter = limiter;
        this.anyCert = trustAll();
    }

    /** Delivers to the recipients of one domain; one result per recipient, in order. */
    public List<DeliveryResult> deliver(Outbound msg, String domain, List<Outbound.Recipient> rcpts) throws InterruptedException {
        Smarthost sh = settings.smarthost();
        MxResolver.Route route = sh != null ? resolver.fixed(sh.host(), sh.port()) : resolver.route(domain);
        switch (route) {
            case MxResolver.Route.Fatal f -> {
                return all(rcpts.size(), new DeliveryResult.Permanent(f.reason(), f.status(), null, null));
            }
            case MxResolver.Route.Retry r -> {
                return all(rcpts.size(), new DeliveryResult.Temporary(r.reason(), r.status(), null, null));
            }
            case MxResolver.Route.Hops h -> {
                try (DomainLimiter.Slot slot = limiter.acquire(domain)) {
                    return viaHops(msg, h.hops(), rcpts, sh);
                }
            }
        }
    }

    private List<DeliveryResult> viaHops(Outbound msg, List<MxResolver.Hop> hops, List<Outbound.Recipient> rcpts, Smarthost sh) {
        DeliveryResult.Temporary last = new DeliveryResult.Temporary("no host to try", "4.4.1", null, null);
        boolean loop = false;
        for (MxResolver.Hop hop : hops) {
            for (InetAddress addr : hop.addresses()) {
                Attempt a = session(msg, hop, addr, rcpts, sh, true);
                if (a instanceof Attempt.PlainRetry) {
                    a = session(msg, hop, addr, rcpts, sh, false);
                }
                switch (a) {
                    case Attempt.Done d -> {
                        return d.results();
                    }
                    case Attempt.Next n -> {
                        last = n.why();
                        loop |= n.loop();
                    }
                    case Attempt.PlainRetry p -> last = new DeliveryResult.Temporary("TLS handshake failed twice", "4.7.5",
                            new DeliveryResult.Remote(hop.host(), addr.getHostAddress()), null);
                }
            }
        }
        if (loop && hops.size() == 1 && sh == null) {
            return all(rcpts.size(), new DeliveryResult.Permanent("mail loops back to me (MX problem?)", "5.4.6", last.remote(), null));
        }
        return all(rcpts.size(), last);
    }

    private sealed interface Attempt {
        /** Final per-recipient results of this message for now. */
        record Done(List<DeliveryResult> results) implements Attempt {}

        /** This host did not take it; try the next. */
        record Next(DeliveryResult.Temporary why, boolean loop) implements Attempt {}

        /** Opportunistic TLS failed: the same host again without STARTTLS. */
        record PlainRetry() implements Attempt {}
    }

    /** What the server offered in its EHLO reply: keyword to its argument ("" if none). */
    private record Ehlo(String name, Map<String, String> keywords) {
        boolean has(String k) {
            return keywords.containsKey(k);
        }
    }

    private Attempt session(Outbound msg, MxResolver.Hop hop, InetAddress addr, List<Outbound.Recipient> rcpts, Smarthost sh,
            boolean tryTls) {
        // a hop given as an address is shown as sendmail shows it, [addr] only
        DeliveryResult.Remote remote = new DeliveryResult.Remote(MxResolver.isIpLiteral(hop.host()) ? null : hop.host(),
                addr.getHostAddress());
        SmtpClient c;
        try {
            c = SmtpClient.connect(addr.getHostAddress(), hop.port(), settings.connectTimeout());
            c.setTimeout(settings.commandTimeout());
        } catch (IOException e) {
            String why = e instanceof java.net.ConnectException ? "Connection refused by " + remote.relay()
                    : e instanceof java.net.SocketTimeoutException ? "Connection timed out with " + remote.relay()
                    : "Cannot connect to " + remote.relay() + ": " + e.getMessage();
            return new Attempt.Next(new DeliveryResult.Temporary(why, "4.4.1", remote, null), false);
        }
        boolean bodySent = false;
        Transaction tx = null;
        try {
            if (sh != null && sh.tls() == TlsMode.IMPLICIT) {
                c = c.startTls(sh.trust().getSocketFactory(), hop.host(), verifying(hop.host()));
            }
            SmtpClient.Response greet = c.read();
            if (greet == null || greet.code() != 220) {
                quit(c);
                return next("greeting: " + oneLine(greet), remote, greet);
            }
            Ehlo ehlo = ehlo(c);
            if (ehlo == null) {
                quit(c);
                return next("EHLO and HELO refused", remote, null);
            }
            if (ehlo.name().equalsIgnoreCase(settings.helo())) {
                quit(c);
                return new Attempt.Next(new DeliveryResult.Temporary("mail loops back to me (MX problem?)", "4.4.6", remote, null), true);
            }
            boolean tls = sh != null && sh.tls() == TlsMode.IMPLICIT;
            if (!tls && ehlo.has("STARTTLS") && (tryTls || sh != null)) {
                SmtpClient.Response r = c.command("STARTTLS");
                if (r != null && r.code() == 220) {
                    try {
                        if (sh != null) {
                            c = c.startTls(sh.trust().getSocketFactory(), hop.host(), verifying(hop.host()));
                        } else {
                            c = c.startTls(anyCert.getSocketFactory(), hop.host(), opportunistic(hop.host()));
                        }
                    } catch (IOException e) {
                        closeQuietly(c);
                        if (sh != null) {
                            return done(rcpts.size(), new DeliveryResult.Temporary("TLS handshake with smarthost failed: "
                                    + e.getMessage(), "4.7.5", remote, null));
                        }
                        log.info("{}: TLS handshake with {} failed ({}); retrying without TLS", msg.queueId(), remote.relay(),
                                e.getMessage());
                        return new Attempt.PlainRetry();
                    }
                    tls = true;
                    ehlo = ehlo(c);
                    if (ehlo == null) {
                        quit(c);
                        return next("EHLO refused after STARTTLS", remote, null);
                    }
                }
            }
            if (sh != null && !tls) {
                quit(c);
                return done(rcpts.size(), new DeliveryResult.Temporary("TLS is required, but was not offered by smarthost "
                        + remote.relay(), "4.7.4", remote, null));
            }
            if (sh != null && sh.user() != null) {
                DeliveryResult.Temporary authFailed = authenticate(c, ehlo, sh, remote);
                if (authFailed != null) {
                    quit(c);
                    return done(rcpts.size(), authFailed);
                }
            }
            String sizeArg = ehlo.keywords().get("SIZE");
            if (sizeArg != null && sizeArg.matches("\\d{1,18}") && Long.parseLong(sizeArg) > 0 && msg.size() > Long.parseLong(sizeArg)) {
                quit(c);
                return done(rcpts.size(), new DeliveryResult.Permanent("Message size exceeds fixed maximum message size of "
                        + remote.relay(), "5.3.4", remote, null));
            }
            if (msg.smtputf8() && !ehlo.has("SMTPUTF8")) {
                quit(c);
                return done(rcpts.size(), new DeliveryResult.Permanent(remote.relay() + " does not support SMTPUTF8", "5.6.7",
                        remote, null));
            }
            tx = transaction(c, ehlo, msg, rcpts, remote);
            if (tx.done != null) {
                quit(c);
                return tx.done;
            }
            // 354: the body, streamed from the spool
            bodySent = true;
            SmtpClient.Response fin;
            try (InputStream body = msg.body().open()) {
                c.setTimeout(settings.commandTimeout().multipliedBy(2)); // RFC 5321 4.5.3.2.6: 10 minutes for the final reply
                fin = c.data(body);
            }
            quit(c);
            List<DeliveryResult> out = tx.results;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i) == null) {
                    out.set(i, afterData(fin, remote, ehlo.has("DSN") ? DeliveryResult.Handoff.PASSED_ON : DeliveryResult.Handoff.RELAYED));
                }
            }
            return new Attempt.Done(out);
        } catch (IOException e) {
            closeQuietly(c);
            String why = "lost connection with " + remote.relay() + (bodySent ? " after the message was sent" : "") + ": " + e.getMessage();
            if (bodySent && tx != null && tx.results != null) {
                // the server may have the message: a retry risks a duplicate, never a loss; recipients
                // it refused at RCPT keep that answer
                List<DeliveryResult> out = new ArrayList<>(tx.results);
                out.replaceAll(r -> r == null ? new DeliveryResult.Temporary(why, "4.4.2", remote, null) : r);
                return new Attempt.Done(out);
            }
            return new Attempt.Next(new DeliveryResult.Temporary(why, "4.4.2", remote, null), false);
        }
    }

    /** MAIL and RCPT (pipelined with DATA when offered); results null for recipients awaiting DATA. */
    private static final class Transaction {
        List<DeliveryResult> results;
        Attempt done;
    }

    private Transaction transaction(SmtpClient c, Ehlo ehlo, Outbound msg, List<Outbound.Recipient> rcpts, DeliveryResult.Remote remote)
            throws IOException {
        boolean dsn = ehlo.has("DSN");
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(msg.sender()).append('>');
        if (ehlo.has("SIZE")) {
            mail.append(" SIZE=").append(msg.size());
        }
        if (msg.eightBit() && ehlo.has("8BITMIME")) {
            mail.append(" BODY=8BITMIME");
        }
        if (msg.smtputf8()) {
            mail.append(" SMTPUTF8");
        }
        if (dsn) {
            DsnParameters.Mail m = DsnParameters.mail(msg.mailParams());
            if (m.ret() != null) {
                mail.append(" RET=").append(m.ret());
            }
            if (m.envid() != null) {
                mail.append(" ENVID=").append(m.envid());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(mail.toString());
        for (Outbound.Recipient r : rcpts) {
            StringBuilder sb = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
            if (dsn) {
                DsnParameters.Recipient p = DsnParameters.recipient(r.dsnParams());
                if (p.never()) {
                    sb.append(" NOTIFY=NEVER");
                } else if (p.notifyOn() != null) {
                    sb.append(" NOTIFY=").append(String.join(",", p.notifyOn().stream().map(Enum::name).toList()));
                }
                // RFC 3461 4.2: pass the client's ORCPT on, or say who the recipient was originally
                sb.append(" ORCPT=").append(p.orcpt() != null ? p.orcpt() : "rfc822;" + DsnParameters.xtextEncode(r.original()));
            }
            lines.add(sb.toString());
        }
        boolean pipelining = ehlo.has("PIPELINING");
        if (pipelining) {
            lines.add("DATA");
            c.sendRaw((String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        Transaction tx = new Transaction();
        SmtpClient.Response mr = pipelining ? c.read() : c.command(lines.get(0));
        if (mr == null) {
            throw new IOException("connection closed after MAIL");
        }
        if (mr.code() / 100 != 2) {
            // the sender is refused: every recipient gets this answer
            tx.done = done(rcpts.size(), refused(mr, remote, "MAIL"));
            return tx;
        }
        List<DeliveryResult> results = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < rcpts.size(); i++) {
            SmtpClient.Response rr = pipelining ? c.read() : c.command(lines.get(i + 1));
            if (rr == null) {
                throw new IOException("connection closed after RCPT");
            }
            if (rr.code() / 100 == 2) {
                results.add(null);
                accepted++;
            } else {
                results.add(refused(rr, remote, "RCPT"));
            }
        }
        SmtpClient.Response dr = accepted == 0 && !pipelining ? null : (pipelining ? c.read() : c.command("DATA"));
        if (accepted == 0) {
            if (dr != null && dr.code() == 354) {
                c.data(new byte[0]); // RFC 2920 3.1: no recipient; end the (empty) data at once
            }
            tx.done = new Attempt.Done(results);
            return tx;
        }
        if (dr == null || dr.code() != 354) {
            DeliveryResult r = dr == null ? new DeliveryResult.Temporary("no reply to DATA", "4.4.2", remote, null) : refused(dr, remote, "DATA");
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) == null) {
                    results.set(i, r);
                }
            }
            tx.done = new Attempt.Done(results);
            return tx;
        }
        tx.results = results;
        return tx;
    }

    private static DeliveryResult afterData(SmtpClient.Response fin, DeliveryResult.Remote remote, DeliveryResult.Handoff handoff) {
        if (fin == null) {
            return new DeliveryResult.Temporary("lost connection with " + remote.relay() + " after the message was sent", "4.4.2",
                    remote, null);
        }
        if (fin.code() / 100 == 2) {
            return new DeliveryResult.Delivered(null, "Sent (" + withoutEnhanced(fin) + ")", remote, handoff);
        }
        return refused(fin, remote, "end of DATA");
    }

    /** A 4xx or 5xx reply as a result, with the server's own words as diagnostic. */
    private static DeliveryResult refused(SmtpClient.Response r, DeliveryResult.Remote remote, String stage) {
        String diag = r.code() + " " + oneLine(r.text());
        String enh = r.enhanced();
        if (r.code() / 100 == 5) {
            String status = enh != null && enh.startsWith("5") ? enh : "5.0.0";
            return new DeliveryResult.Permanent(diag, status, remote, diag);
        }
        String status = enh != null && enh.startsWith("4") ? enh : "4.0.0";
        return new DeliveryResult.Temporary(diag + " (after " + stage + ")", status, remote, diag);
    }

    private DeliveryResult.Temporary authenticate(SmtpClient c, Ehlo ehlo, Smarthost sh, DeliveryResult.Remote remote)
            throws IOException {
        String mechs = ehlo.keywords().getOrDefault("AUTH", "").toUpperCase(Locale.ROOT);
        List<String> offered = Arrays.asList(mechs.split(" "));
        Base64.Encoder b64 = Base64.getEncoder();
        SmtpClient.Response r;
        if (offered.contains("PLAIN")) {
            String token = "\0" + sh.user() + "\0" + sh.password();
            r = c.command("AUTH PLAIN " + b64.encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        } else if (offered.contains("LOGIN")) {
            r = c.command("AUTH LOGIN");
            if (r != null && r.code() == 334) {
                r = c.command(b64.encodeToString(sh.user().getBytes(StandardCharsets.UTF_8)));
                if (r != null && r.code() == 334) {
                    r = c.command(b64.encodeToString(sh.password().getBytes(StandardCharsets.UTF_8)));
                }
            }
        } else {
            return new DeliveryResult.Temporary("smarthost " + remote.relay() + " offers no AUTH mechanism Tacit speaks (PLAIN, LOGIN)",
                    "4.7.0", remote, null);
        }
        if (r == null) {
            throw new IOException("connection closed during AUTH");
        }
        if (r.code() != 235) {
            String diag = r.code() + " " + oneLine(r.text());
            return new DeliveryResult.Temporary("authentication at smarthost " + remote.relay() + " failed: " + diag, "4.7.8",
                    remote, diag);
        }
        return null;
    }

    /** EHLO, falling back to HELO when EHLO is refused (RFC 5321 3.2); null if both are. */
    private Ehlo ehlo(SmtpClient c) throws IOException {
        SmtpClient.Response r = c.command("EHLO " + settings.helo());
        if (r == null) {
            throw new IOException("connection closed after EHLO");
        }
        if (r.code() == 250) {
            Map<String, String> kws = new HashMap<>();
            for (int i = 1; i < r.lines().size(); i++) {
                String l = r.lines().get(i).strip();
                int sp = l.indexOf(' ');
                String k = (sp < 0 ? l : l.substring(0, sp)).toUpperCase(Locale.ROOT);
                kws.put(k, sp < 0 ? "" : l.substring(sp + 1).strip());
            }
            return new Ehlo(firstWord(r.lines().get(0)), kws);
        }
        r = c.command("HELO " + settings.helo());
        if (r == null) {
            throw new IOException("connection closed after HELO");
        }
        return r.code() == 250 ? new Ehlo(firstWord(r.lines().get(0)), Map.of()) : null;
    }

    private static String firstWord(String s) {
        String t = s.strip();
        int sp = t.indexOf(' ');
        return sp < 0 ? t : t.substring(0, sp);
    }

    private static Attempt next(String why, DeliveryResult.Remote remote, SmtpClient.Response r) {
        String diag = r == null ? null : r.code() + " " + oneLine(r.text());
        return new Attempt.Next(new DeliveryResult.Temporary(remote.relay() + ": " + why, "4.4.2", remote, diag), false);
    }

    private static Attempt done(int n, DeliveryResult r) {
        return new Attempt.Done(all(n, r));
    }

    private static List<DeliveryResult> all(int n, DeliveryResult r) {
        List<DeliveryResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r);
        }
        return out;
    }

    /** The reply text without its enhanced code, as sendmail logs it in stat=Sent (...). */
    static String withoutEnhanced(SmtpClient.Response r) {
        String t = oneLine(r.text());
        String enh = r.enhanced();
        return enh != null && t.startsWith(enh) ? t.substring(enh.length()).strip() : t;
    }

    static String oneLine(Object o) {
        if (o == null) {
            return "(no reply)";
        }
        String s = o instanceof SmtpClient.Response r ? r.text() : o.toString();
        s = s.replace('\n', ' ').replace('\r', ' ');
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            sb.append(ch < 32 || ch == 127 ? '?' : ch);
        }
        return sb.length() > 500 ? sb.substring(0, 500) : sb.toString();
    }

    private static void quit(SmtpClient c) {
        try {
            c.setTimeout(Duration.ofSeconds(10));
            c.command("QUIT");
        } catch (IOException e) {
            // the message's fate is decided; a lost QUIT changes nothing
        }
        closeQuietly(c);
    }

    private static void closeQuietly(SmtpClient c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static SSLParameters opportunistic(String host) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(PROTOCOLS);
        if (!MxResolver.isIpLiteral(host)) {
            p.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
        }
        return p;
    }

    /** Required TLS: the certificate must be valid for the host name (RFC 6125 via the JDK's check). */
    private static SSLParameters verifying(String host) {
        SSLParameters p = opportunistic(host);
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    /** Opportunistic TLS protects against passive listeners only; any certificate will do (RFC 7435). */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // not a server
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic: unauthenticated encryption
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    /** The trust for a smarthost: certificates from a PEM file, or the JDK's default trust store. */
    public static SSLContext trustFor(java.nio.file.Path caFile) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        if (caFile == null) {
            ctx.init(null, null, new SecureRandom());
            return ctx;
        }
        java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = java.nio.file.Files.newInputStream(caFile)) {
            int i = 0;
            for (java.security.cert.Certificate cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, cert);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in " + caFile);
            }
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }
}
