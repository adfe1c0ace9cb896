package dev.tacit.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Writes a delivery status notification (RFC 3464) as a MIME multipart/report (RFC 6522): a text part
 * for people, the machine-readable message/delivery-status part, and the original message
 * (message/rfc822) or only its header (text/rfc822-headers, for RET=HDRS and PrivacyOptions
 * nobodyreturn). Lines end in CRLF, as in the spool.
 *
 * <p>Security: every value that came from outside (addresses, diagnostics) is reduced to one line of
 * printable characters, so a remote reply cannot add header fields to the report.
 */
public final class DsnWriter {

    private DsnWriter() {}

    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    public enum Action {
        FAILED("failed"), DELAYED("delayed"), DELIVERED("delivered"), RELAYED("relayed"), EXPANDED("expanded");

        final String word;

        Action(String word) {
            this.word = word;
        }
    }

    /** What of the original message goes back: all of it, or its header only. */
    public enum Returned { FULL, HEADERS }

    /**
     * The per-message part.
     *
     * @param reportingMta   this host's name
     * @param returnTo       the address the report is for (its To:)
     * @param client         the client the original came from, as logged ({@code name [ip]})
     * @param envid          the original ENVID, decoded, or null
     * @param messageId      the report's own Message-ID, without brackets
     * @param eightBit       the original may hold 8-bit text (it came with BODY=8BITMIME or SMTPUTF8)
     */
    public record Info(String reportingMta, String returnTo, String client, Instant arrival, String envid, String messageId,
            boolean eightBit) {}

    /**
     * One recipient's block.
     *
     * @param finalRecipient    the envelope recipient as accepted (RFC 3464 2.3.2)
     * @param originalRecipient the ORCPT value, "type;address" decoded, or null
     * @param actualRecipient   where alias expansion led, when that differs and may be shown, or null
     * @param remoteMta         the host that gave the diagnostic, or null
     * @param diagnostic        that host's reply, or null
     */
    public record Entry(String finalRecipient, String originalRecipient, String actualRecipient, Action action, String status,
            String remoteMta, String diagnostic, String reason, Instant lastAttempt) {}

    public static void write(OutputStream out, Info info, List<Entry> entries, InputStream original, Returned returned)
            throws IOException {
        boolean failure = entries.stream().anyMatch(e -> e.action() == Action.FAILED);
        String boundary = "=_" + clean(info.messageId()).replaceAll("[^A-Za-z0-9]", "") + "_report";
        StringBuilder h = new StringBuilder(2048);
        line(h, "From: Mail Delivery Subsystem <MAILER-DAEMON@" + clean(info.reportingMta()) + ">");
        line(h, "To: <" + clean(info.returnTo()) + ">");
        line(h, "Subject: " + (failure ? "Returned mail: see transcript for details" : "Successful Mail Delivery Report"));
        line(h, "Date: " + date(Instant.now()));
        line(h, "Message-ID: <" + clean(info.messageId()) + ">");
        // RFC 3834 5: automatic responses are marked so that responders do not answer them
        line(h, "Auto-Submitted: auto-replied");
        line(h, "MIME-Version: 1.0");
        line(h, "Content-Type: multipart/report; report-type=delivery-status;");
        line(h, "\tboundary=\"" + boundary + "\"");
        line(h, "");
        line(h, "This is a MIME-encapsulated message.");
        line(h, "");
        line(h, "--" + boundary);
        line(h, "Content-Type: text/plain; charset=utf-8");
        line(h, "Content-Transfer-Encoding: 8bit");
        line(h, "");
        line(h, "The original message was received at " + date(info.arrival()));
        line(h, "from " + clean(info.client()));
        line(h, "");
        for (Action a : Action.values()) {
            List<Entry> group = entries.stream().filter(e -> e.action() == a).toList();
            if (group.isEmpty()) {
                continue;
            }
            line(h, "   ----- " + switch (a) {
                case FAILED -> "The following addresses had permanent fatal errors";
                case DELAYED -> "The following addresses had transient non-fatal errors";
                case DELIVERED -> "The following addresses had successful delivery notifications";
                case RELAYED -> "The following addresses were relayed to a mailer that does not report delivery";
                case EXPANDED -> "The following addresses were expanded";
            } + " -----");
            for (Entry e : group) {
                line(h, "<" + clean(e.finalRecipient()) + ">");
                if (e.reason() != null) {
                    line(h, "    (reason: " + clean(e.reason()) + ")");
                }
            }
            line(h, "");
        }
        line(h, "--" + boundary);
        line(h, "Content-Type: message/delivery-status");
        line(h, "");
        line(h, "Reporting-MTA: dns; " + clean(info.reportingMta()));
        line(h, "Arrival-Date: " + date(info.arrival()));
        if (info.envid() != null) {
            line(h, "Original-Envelope-Id: " + clean(info.envid()));
        }
        for (Entry e : entries) {
            line(h, "");
            if (e.originalRecipient() != null) {
                line(h, "Original-Recipient: " + clean(e.originalRecipient()));
            }
            line(h, "Final-Recipient: rfc822; " + clean(e.finalRecipient()));
            if (e.actualRecipient() != null) {
                line(h, "X-Actual-Recipient: rfc822; " + clean(e.actualRecipient()));
            }
            line(h, "Action: " + e.action().word);
            line(h, "Status: " + clean(e.status()));
            if (e.remoteMta() != null) {
                line(h, "Remote-MTA: dns; " + clean(e.remoteMta()));
            }
            if (e.diagnostic() != null) {
                line(h, "Diagnostic-Code: smtp; " + clean(e.diagnostic()));
            }
            if (e.lastAttempt() != null) {
                line(h, "Last-Attempt-Date: " + date(e.lastAttempt()));
            }
        }
        line(h, "");
        line(h, "--" + boundary);
        boolean full = returned == Returned.FULL;
        line(h, "Content-Type: " + (full ? "message/rfc822" : "text/rfc822-headers"));
        if (info.eightBit()) {
            line(h, "Content-Transfer-Encoding: 8bit");
        }
        line(h, "");
        out.write(h.toString().getBytes(StandardCharsets.UTF_8));
        if (original != null) {
            boolean endsWithNewline = full ? copy(original, out) : copyHeader(original, out);
            if (!endsWithNewline) {
                out.write(CRLF);
            }
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static final byte[] CRLF = {'\r', '\n'};

    /** Copies everything; true if it ended with LF. */
    private static boolean copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[65536];
        int n;
        int last = '\n';
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            last = buf[n - 1];
        }
        return last == '\n';
    }

    /** Copies the header section (up to the first empty line, which is not copied). */
    private static boolean copyHeader(InputStream in, OutputStream out) throws IOException {
        java.io.BufferedInputStream b = new java.io.BufferedInputStream(in, 8192);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
        int c;
        long total = 0;
        while ((c = b.read()) >= 0 && total < (1 << 20)) {
            line.write(c);
            total++;
            if (c == '\n') {
                byte[] l = line.toByteArray();
                if (l.length <= 2 && (l[0] == '\n' || l[0] == '\r')) {
                    return true;
                }
                out.write(l);
                line.reset();
            }
        }
        out.write(line.toByteArray());
        return line.size() == 0;
    }

    private static void line(StringBuilder sb, String s) {
        sb.append(s).append("\r\n");
    }

    static String date(Instant t) {
        return RFC5322.format(ZonedDateTime.ofInstant(t, ZoneId.systemDefault()));
    }

    /** One line of printable text: CR, LF and other controls become spaces or '?'. */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && sb.length() < 900; i++) {
            char c = s.charAt(i);
            sb.append(c == '\r' || c == '\n' || c == '\t' ? ' ' : (c < 32 || c == 127 ? '?' : c));
        }
        return sb.toString();
    }
}
