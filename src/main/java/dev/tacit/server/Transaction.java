package dev.tacit.server;

import dev.tacit.policy.RcptCheck;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One mail transaction (RFC 5321 3.3): the sender and parameters from MAIL, the accepted recipients
 * and their delivery targets. MAIL creates it; RSET, HELO/EHLO and the end of DATA drop it whole.
 *
 * <p>A recipient accepted before its lookup ended (enumeration defence) carries that lookup; the
 * session learns the verdicts as they arrive ({@link #collectRefused}) and waits for all of them at
 * the end of DATA ({@link #settle}). Dropping the transaction drops the pending results, not the
 * lookups. Only the session's thread touches a transaction; lookups report through their futures.
 */
public final class Transaction {

    /**
     * An accepted recipient: as the client wrote it, and where it expands to. {@code known} false: an
     * unknown name accepted only so that its answer looks like a real one (enumeration defence).
     * {@code dsn}: the RCPT's NOTIFY/ORCPT parameters as given, "" for none.
     */
    public record Recipient(String echo, MailAddress address, boolean known, String dsn, Reply refusal) {
        public Recipient(String echo, MailAddress address, boolean known, String dsn) {
            this(echo, address, known, dsn, null);
        }

        public Recipient(String echo, MailAddress address, boolean known) {
            this(echo, address, known, "");
        }

        /** Why an accepted recipient is not delivered: sendmail's refusal (User unknown unless the lookup said otherwise). */
        public Reply refusalOrUnknown() {
            return refusal != null ? refusal : Replies.userUnknown(echo);
        }
    }

    /** A recipient's lookup still owed to the transaction; {@code counted}: its refusal is in {@link #rejected}. */
    private static final class Lookup {
        final int index;
        final CompletableFuture<RcptCheck> check;
        boolean counted;

        Lookup(int index, CompletableFuture<RcptCheck> check) {
            this.index = index;
            this.check = check;
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
    private final List<Lookup> lookups = new ArrayList<>();
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

    /** A recipient answered before its lookup ended: whether it exists arrives in {@code check}. */
    public void add(Recipient r, String canonical, CompletableFuture<RcptCheck> check) {
        add(r, canonical);
        lookups.add(new Lookup(recipients.size() - 1, check));
    }

    /**
     * Counts the lookups that have ended in a refusal since the last call (BadRcptThrottle counts the
     * unknown recipients known so far); returns how many were new. Never waits.
     */
    public int collectRefused() {
        int n = 0;
        for (Lookup l : lookups) {
            if (!l.counted && l.check.isDone()) {
                l.counted = true;
                RcptCheck c = l.check.getNow(RcptCheck.FAILED);
                if (c.status() == RcptCheck.Status.REFUSED) {
                    rejected++;
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Waits, at most {@code wait} in all, for every pending lookup and records its verdict in the
     * recipient. Returns the first recipient whose lookup failed or did not end in time (the message is
     * then a temporary failure, so the rest are not waited for), or null when every lookup answered.
     */
    public Recipient settle(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Lookup l : lookups) {
            Recipient r = recipients.get(l.index);
            RcptCheck c;
            try {
                c = l.check.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                c = RcptCheck.FAILED;
            }
            if (c.status() == RcptCheck.Status.FAILED) {
                return r;
            }
            recipients.set(l.index, new Recipient(r.echo(), r.address(), c.known(), r.dsn(), c.refusal()));
        }
        return null;
    }
}
