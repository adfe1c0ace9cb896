package dev.tacit.delivery;

import dev.tacit.smtp.SmtpClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Local delivery over LMTP (RFC 2033) to a mail store such as Dovecot, instead of writing Maildirs:
 * LHLO, MAIL, one RCPT per local recipient, DATA, then one reply per accepted recipient, each mapped to
 * that recipient's result (2xx delivered, 4xx retried, 5xx failed with the store's own words in the
 * DSN). The store adds Return-Path and Delivered-To itself.
 *
 * <p>At least once: after a crash between the store's replies and the journal record, a recipient can
 * get the message twice (LMTP has no way to ask what was stored).
 *
 * <p>Config keys: delivery.local ("lmtp"), delivery.lmtp (host:port), delivery.lmtp_recipient,
 * delivery.connect_timeout, delivery.command_timeout.
 */
public final class LmtpDelivery {

    private final String host;
    private final int port;
    private final String lhlo;
    private final Duration connectTimeout;
    private final Duration commandTimeout;

    public LmtpDelivery(String host, int port, String lhlo, Duration connectTimeout, Duration commandTimeout) {
        this.host = host;
        this.port = port;
        this.lhlo = lhlo;
        this.connectTimeout = connectTimeout;
        this.commandTimeout = commandTimeout;
    }

    public List<DeliveryResult> deliver(Outbound msg, List<Outbound.Recipient> rcpts) {
        DeliveryResult.Remote remote = new DeliveryResult.Remote(MxResolver.isIpLiteral(host) ? null : host, host);
        SmtpClient c;
        try {
            c = SmtpClient.connect(host, port, connectTimeout);
            c.setTimeout(commandTimeout);
        } catch (IOException e) {
            return all(rcpts.size(), new DeliveryResult.Temporary("LMTP server " + host + ":" + port + " unreachable: " + e.getMessage(),
                    "4.4.1", remote, null));
        }
        boolean sent = false;
        List<DeliveryResult> out = new ArrayList<>();
        try (c) {
            SmtpClient.Response r = c.read();
            if (r == null || r.code() != 220) {
                return all(rcpts.size(), temp("greeting", r, remote));
            }
            r = c.command("LHLO " + lhlo);
            if (r == null || r.code() != 250) {
                return all(rcpts.size(), temp("LHLO", r, remote));
            }
            boolean eightBit = r.lines().stream().anyMatch(l -> l.equalsIgnoreCase("8BITMIME"));
            r = c.command("MAIL FROM:<" + msg.sender() + ">" + (msg.eightBit() && eightBit ? " BODY=8BITMIME" : "")
                    + (msg.smtputf8() ? " SMTPUTF8" : ""));
            if (r == null || r.code() / 100 != 2) {
                return all(rcpts.size(), r != null && r.code() / 100 == 5 ? perm(r, remote) : temp("MAIL", r, remote));
            }
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < rcpts.size(); i++) {
                r = c.command("RCPT TO:<" + rcpts.get(i).address() + ">");
                if (r == null) {
                    throw new IOException("connection closed after RCPT");
                }
                if (r.code() / 100 == 2) {
                    out.add(null);
                    accepted.add(i);
                } else {
                    out.add(r.code() / 100 == 5 ? perm(r, remote) : temp("RCPT", r, remote));
                }
            }
            if (accepted.isEmpty()) {
                quit(c);
                return out;
            }
            r = c.command("DATA");
            if (r == null || r.code() != 354) {
                DeliveryResult d = r != null && r.code() / 100 == 5 ? perm(r, remote) : temp("DATA", r, remote);
                accepted.forEach(i -> out.set(i, d));
                return out;
            }
            sent = true;
            try (InputStream body = msg.body().open()) {
                c.setTimeout(commandTimeout.multipliedBy(2));
                r = c.data(body);
            }
            // RFC 2033 4.2: one reply per accepted recipient, in RCPT order
            for (int k = 0; k < accepted.size(); k++) {
                if (k > 0) {
                    r = c.read();
                }
                int i = accepted.get(k);
                if (r == null) {
                    out.set(i, new DeliveryResult.Temporary("LMTP server closed before answering for " + rcpts.get(i).address(),
                            "4.4.2", remote, null));
                } else if (r.code() / 100 == 2) {
                    out.set(i, new DeliveryResult.Delivered(null, "Sent (" + SmtpDelivery.withoutEnhanced(r) + ")", remote,
                            DeliveryResult.Handoff.FINAL));
                } else {
                    out.set(i, r.code() / 100 == 5 ? perm(r, remote) : temp("end of DATA", r, remote));
                }
            }
            quit(c);
            return out;
        } catch (IOException e) {
            String why = "LMTP session with " + host + ":" + port + " failed" + (sent ? " after the message was sent" : "") + ": "
                    + e.getMessage();
            // recipients already answered keep their answers; the others are tried again
            DeliveryResult t = new DeliveryResult.Temporary(why, "4.4.2", remote, null);
            List<DeliveryResult> res = new ArrayList<>(out);
            for (int i = 0; i < rcpts.size(); i++) {
                if (i >= res.size()) {
                    res.add(t);
                } else if (res.get(i) == null) {
                    res.set(i, t);
                }
            }
            return res;
        }
    }

    /** QUIT after the results are known: its failure changes nothing. */
    private static void quit(SmtpClient c) {
        try {
            c.command("QUIT");
        } catch (IOException e) {
            // the store already answered for every recipient
        }
    }

    private static DeliveryResult.Temporary temp(String stage, SmtpClient.Response r, DeliveryResult.Remote remote) {
        String diag = r == null ? null : r.code() + " " + SmtpDelivery.oneLine(r.text());
        String enh = r == null ? null : r.enhanced();
        return new DeliveryResult.Temporary("LMTP " + stage + ": " + (diag == null ? "no reply" : diag),
                enh != null && enh.startsWith("4") ? enh : "4.0.0", remote, diag);
    }

    private static DeliveryResult.Permanent perm(SmtpClient.Response r, DeliveryResult.Remote remote) {
        String diag = r.code() + " " + SmtpDelivery.oneLine(r.text());
        String enh = r.enhanced();
        return new DeliveryResult.Permanent(diag, enh != null && enh.startsWith("5") ? enh : "5.0.0", remote, diag);
    }

    private static List<DeliveryResult> all(int n, DeliveryResult r) {
        List<DeliveryResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r);
        }
        return out;
    }
}
