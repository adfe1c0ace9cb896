package dev.tacit.server;

import dev.tacit.smtp.MailAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One mail transaction (RFC 5321 3.3): the sender and parameters from MAIL, the accepted recipients
 * and their delivery targets. MAIL creates it; RSET, HELO/EHLO and the end of DATA drop it whole.
 */
public final class Transaction {

    /**
     * An accepted recipient: as the client wrote it, and where it expands to. {@code known} false: an
     * unknown name accepted only so that its answer looks like a real one (enumeration defence).
     * {@code dsn}: the RCPT's NOTIFY/ORCPT parameters as given, "" for none.
     */
    public record Recipient(String echo, MailAddress address, boolean known, String dsn) {
        public Recipient(String echo, MailAddress address, boolean known) {
            this(echo, address, known, "");
        }
    }

    private final String sender;
    private final String senderEcho;
    private final String params;
    private final boolean smtputf8;
    private final boolean eightBit;
    private final long declaredSize;
    private final List<Recipient> recipients = new ArrayList<>();
    private final Map<String, String> firstSpelling = new HashMap<>();
    private int rejected;

    public Transaction(String sender, String senderEcho, String params, boolean smtputf8, boolean eightBit, long declaredSize) {
        this.sender = sender;
        this.senderEcho = senderEcho;
        this.params = params;
        this.smtputf8 = smtputf8;
        this.eightBit = eightBit;
        this.declaredSize = declaredSize;
    }

    public String sender() {
        return sender;
    }

    public String senderEcho() {
        return senderEcho;
    }

    public String params() {
        return params;
    }

    public boolean smtputf8() {
        return smtputf8;
    }

    public boolean eightBit() {
        return eightBit;
    }

    public long declaredSize() {
        return declaredSize;
    }

    public List<Recipient> recipients() {
        return recipients;
    }

    public int rejected() {
        return rejected;
    }

    /** Recipients that exist; the message is refused after DATA when there are none. */
    public long knownRecipients() {
        return recipients.stream().filter(Recipient::known).count();
    }

    public void countRejected() {
        rejected++;
    }

    /**
     * The spelling under which an address was first accepted in this transaction, so a duplicate
     * RCPT is answered with the first spelling as sendmail does; null if new.
     */
    public String firstSpelling(String canonical) {
        return firstSpelling.get(canonical.toLowerCase(Locale.ROOT));
    }

    public void add(Recipient r, String canonical) {
        firstSpelling.putIfAbsent(canonical.toLowerCase(Locale.ROOT), r.echo());
        recipients.add(r);
    }
}
