package dev.tacit.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A message in the queue and the state of each of its delivery targets. Written only by the queue
 * runner (one delivery attempt at a time per message); read by mailq through {@link #info()}.
 */
public final class QueuedMessage {

    final String queueId;
    final Envelope envelope;
    final long size;
    final long arrivalMillis;
    final TargetStatus[] status;
    final int[] attempts;
    final String[] lastReason;
    volatile long nextAttemptMillis;
    long segment;
    long bodyOffset;
    boolean external;
    private MemoryBody held; // the body, kept from commit until the first attempt is settled (guarded by this)
    /** Found in the journal at start-up: a target may already be in its Maildir. */
    volatile boolean recovered;

    QueuedMessage(String queueId, Envelope envelope, long size) {
        this.queueId = queueId;
        this.envelope = envelope;
        this.size = size;
        this.arrivalMillis = envelope.arrival().toEpochMilli();
        int n = envelope.targets().size();
        this.status = new TargetStatus[n];
        Arrays.fill(status, TargetStatus.PENDING);
        this.attempts = new int[n];
        this.lastReason = new String[n];
    }

    synchronized void holdBody(MemoryBody body) {
        held = body;
    }

    synchronized MemoryBody heldBody() {
        return held;
    }

    synchronized MemoryBody dropBody() {
        MemoryBody b = held;
        held = null;
        return b;
    }

    public String queueId() {
        return queueId;
    }

    public Envelope envelope() {
        return envelope;
    }

    public long size() {
        return size;
    }

    public boolean isRecovered() {
        return recovered;
    }

    public long nextAttemptMillis() {
        return nextAttemptMillis;
    }

    public synchronized TargetStatus status(int target) {
        return status[target];
    }

    public synchronized int attempts(int target) {
        return attempts[target];
    }

    synchronized void apply(Spool.Result r) {
        status[r.target()] = r.status();
        attempts[r.target()] = r.attempts();
        lastReason[r.target()] = r.reason();
        if (r.status() == TargetStatus.DEFERRED) {
            nextAttemptMillis = Math.max(nextAttemptMillis, r.nextAttemptMillis());
        }
    }

    public synchronized boolean allFinal() {
        for (TargetStatus s : status) {
            if (!s.isFinal()) {
                return false;
            }
        }
        return true;
    }

    /** Indexes of targets still to deliver. */
    public synchronized List<Integer> pendingTargets() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < status.length; i++) {
            if (!status[i].isFinal()) {
                out.add(i);
            }
        }
        return out;
    }

    public synchronized MessageInfo info() {
        List<String> pending = new ArrayList<>();
        String err = null;
        for (int i = 0; i < status.length; i++) {
            if (!status[i].isFinal()) {
                pending.add(envelope.targets().get(i).value());
                if (lastReason[i] != null) {
                    err = lastReason[i];
                }
            }
        }
        return new MessageInfo(queueId, size, envelope.arrival(), envelope.sender(), envelope.recipients(), pending, err);
    }
}
