package dev.tacit.server;

/**
 * The explicit state of one SMTP session: who the client said it is, the current transaction (null
 * outside one) and sendmail's per-connection counters. Owned by the session's thread.
 */
public final class SessionState {

    /** The HELO/EHLO name, null before the first HELO/EHLO. */
    String helo;
    boolean esmtp;
    Transaction tx;
    boolean verbose;
    boolean firstCommand = true;
    boolean quit;
    /** sendmail: a session that issued no MAIL, EXPN, VRFY or ETRN is logged as such. */
    boolean issuedSomething;

    int badCommands;
    int heloCount;
    int vrfyCount;
    int noopCount;
    int etrnCount;
    int messages;
    private LookupLane lookups;

    public String helo() {
        return helo;
    }

    public boolean esmtp() {
        return esmtp;
    }

    public Transaction tx() {
        return tx;
    }

    public void setTransaction(Transaction t) {
        this.tx = t;
    }

    public void identify(String name, boolean extended) {
        this.helo = name;
        this.esmtp = extended;
    }

    public void resetTransaction() {
        tx = null;
    }

    /**
     * After the TLS handshake the server forgets what the client said in plaintext (RFC 3207 4.2):
     * its HELO/EHLO, any transaction, verbose mode; the client starts again with EHLO. The abuse
     * counters stay, except the HELO count, since a new EHLO is required now.
     */
    public void forgetClient() {
        helo = null;
        esmtp = false;
        tx = null;
        verbose = false;
        heloCount = 0;
    }

    public boolean verbose() {
        return verbose;
    }

    public void setVerbose(boolean v) {
        verbose = v;
    }

    public boolean issuedSomething() {
        return issuedSomething;
    }

    public void markIssued() {
        issuedSomething = true;
    }

    public int countHelo() {
        return ++heloCount;
    }

    public int countVrfy() {
        return ++vrfyCount;
    }

    public int countNoop() {
        return ++noopCount;
    }

    public int countEtrn() {
        return ++etrnCount;
    }

    public int messages() {
        return messages;
    }

    public void countMessage() {
        messages++;
    }

    /**
     * Where this session's RCPT lookups run, at most {@code capacity} at once (made on first use with
     * that capacity); its lookups outlive the session until they end.
     */
    public LookupLane lookups(int capacity) {
        if (lookups == null) {
            lookups = new LookupLane(capacity);
        }
        return lookups;
    }

    /**
     * Waits for the session's lookups to end: {@code perRound} for each round of
     * {@link LookupLane#WIDTH} still running or queued. False when some were still running at the end.
     */
    public boolean awaitLookups(java.time.Duration perRound) {
        int pending = pendingLookups();
        if (pending == 0) {
            return true;
        }
        int rounds = (pending + LookupLane.WIDTH - 1) / LookupLane.WIDTH;
        return lookups.awaitIdle(perRound.multipliedBy(rounds));
    }

    /** The session's lookups running or queued now; 0 before the first. */
    public int pendingLookups() {
        return lookups == null ? 0 : lookups.pending();
    }
}
