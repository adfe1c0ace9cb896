package dev.tacit.queue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable queue: an append-only journal of self-validating records, with group commit.
 *
 * <p>A message is one MESSAGE record (envelope, delivery targets and, for bodies up to the inline
 * limit, the body itself); each delivery outcome is a RESULT record. Every record is framed as
 * {@code magic, type, length, payload, CRC32C}; replay stops at the first record that does not
 * validate, which can only be a torn tail that was never acknowledged. Sessions append under a lock
 * and then wait for an fsync that covers their record; one fsync serves every session that appended
 * before it (group commit), so acceptance is not capped at one fsync per message.
 *
 * <p>A segment file is deleted only when it is the oldest and every message it holds is complete, so
 * a RESULT record is never lost while its message is still queued.
 *
 * <p>Rotation: {@code append} makes a new segment active only after forcing the old one (under the
 * append lock), and a sync reads the written position before it reads the active segment. So every
 * record the position counts is either in the segment that sync forces or in an older one that
 * rotation has already forced.
 *
 * <p>Preallocation: with fsync on, the active segment is filled with zeros {@link #PREALLOCATE} bytes
 * ahead of the last record. An fdatasync of a record written over blocks that already exist and were
 * synced flushes the data only; an fdatasync after an append that grows the file must also commit
 * the new size and block allocation to the file system's journal, which costs several times more
 * (shared/bench: about 35 us against about 360 us on this class of machine). A zero tail is not a
 * record (its magic is 0), so replay stops there; recovery cuts it without a warning, and a clean
 * close cuts it too.
 *
 * <p>Reuse: a reclaimed segment is not deleted but kept (up to {@link #REUSE_POOL} files) and becomes a
 * later segment under that segment's name. Records then overwrite blocks the file system has already
 * allocated and, mostly, pages still in the page cache, so their fdatasync flushes data only and no
 * page or zero fill is spent on them (100 KB messages, c=10: 1.22x the rate at 0.87x the CPU, against
 * a fresh file per segment). The file's old records stay behind the new ones until they are
 * overwritten, so records are sealed with their segment's number: the CRC32C trailer is xored with
 * {@link #seal} of it, and replay, which checks the seal of the segment it reads, stops at the first
 * record left from the file's earlier use, as it stops at a torn one (the idea of RocksDB's recyclable
 * log records). Segments written by a version before sealing (magic {@link #MAGIC}) are read as they
 * were written and never reused. On a full disk the kept files are given back at once (they hold
 * nothing queued), and for {@link #NO_REUSE_AFTER_FULL_MILLIS} after that, reclaimed segments are
 * deleted rather than kept, so the 452 a message got is not followed by another for want of space the
 * pool still holds.
 *
 * <p>A body kept in memory while it was received stays with its {@link QueuedMessage} until the
 * runner's first attempt is settled ({@link #releaseBody}), within its own budget (an eighth of the
 * heap): the first delivery then reads no journal. Retries and recovered messages read the journal.
 *
 * <p>Format versions: version 1 MESSAGE metadata ends with the body's size. Version 2 (outbound
 * delivery) appends a block tagged {@link #EXT_DSN}: each recipient's DSN parameters (NOTIFY, ORCPT)
 * and each target's errors-to address (a list's owner). A version 2 reader takes a record without the
 * block as version 1 (no DSN parameters, errors to the sender); a version 1 reader never looks past
 * the size. Version 3 seals records for reuse (magic {@link #MAGIC_SEALED}): it reads versions 1 and
 * 2, but an older reader stops at the first sealed record, so a queue written by version 3 must be
 * empty before Tacit is downgraded.
 */
public final class Spool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    static final int MAGIC = 0x54514A31; // "TQJ1": journal versions 1 and 2, CRC not sealed
    static final int MAGIC_SEALED = 0x54514A32; // "TQJ2": version 3, CRC sealed with the segment's number
    /** Reclaimed segment files kept for reuse. */
    static final int REUSE_POOL = 2;
    private static final String REUSE_PREFIX = "reuse-";
    /** After the disk was found full, how long reclaimed segments are deleted instead of kept. */
    static final long NO_REUSE_AFTER_FULL_MILLIS = 60_000;
    static final byte T_MESSAGE = 1;
    static final byte T_RESULT = 2;
    static final int HEADER = 4 + 1 + 4;
    static final int TRAILER = 4;
    static final long MAX_RECORD = 1L << 31;
    /** Marks the DSN extension of a MESSAGE record (journal format 2). */
    static final byte EXT_DSN = 2;
    /** How far ahead of the last record the active segment is zero-filled (see class comment). */
    static final long PREALLOCATE = 1L << 20;
    /** Records this large grow the segment instead of going onto preallocated zeros. */
    static final long BIG_RECORD = 64L << 10;
    /**
     * The zero fill after a big record: big records land on zeros already synced, which writes those
     * blocks twice, so the fill starts small and doubles up to {@link #PREALLOCATE} while no big record
     * comes (100 KB messages: 267 KB written to disk per message with 1 MiB fills, 215 KB with none).
     */
    static final long FILL_AFTER_BIG = 64L << 10;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    private final Path dir;
    private final Path journalDir;
    private final Path bodiesDir;
    private final boolean fsync;
    private final long segmentMax;
    private final int inlineMax;
    private final InlineBudget inlineBudget = InlineBudget.quarterOfHeap();
    /** Bodies kept after commit for the runner's first attempt; past this they are read back from disk. */
    private final InlineBudget heldBudget;
    private final QueueIds ids = new QueueIds();

    private final ReentrantLock appendLock = new ReentrantLock();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    /** Reclaimed segment files waiting to be reused, oldest first; guarded by appendLock. */
    private final ArrayDeque<Path> reusable = new ArrayDeque<>();
    /** System.currentTimeMillis() until which reclaimed segments are not kept (the disk was full). */
    private volatile long noReuseUntil;
    private volatile Segment active;
    private volatile long writtenSeq;

    private final ReentrantLock syncLock = new ReentrantLock();
    /**
     * Writers wait on the condition of the sync that will cover them: [started % 2] while a sync whose
     * target includes them is running, the other one otherwise. A finished sync wakes only the writers
     * it made durable; those that appended while it ran sleep on until the next one.
     */
    private final Condition[] syncDone = {syncLock.newCondition(), syncLock.newCondition()};
    private final Condition syncWanted = syncLock.newCondition();
    private long syncsStarted;  // guarded by syncLock
    /** The target of the last sync started; once it ends, syncedSeq covers it (or the spool is broken). */
    private long runningTarget;
    private long requestedSeq;  // the highest position a writer waits for (guarded by syncLock)
    private long syncedSeq;
    private Thread syncer;      // started by the first wait; ends at close
    private boolean syncerDone; // the syncer has ended: nothing more becomes durable (guarded by syncLock)
    private boolean closing;
    private volatile IOException broken;

    private final Map<String, QueuedMessage> index = new ConcurrentHashMap<>();
    private final List<QueuedMessage> recovered = new ArrayList<>();
    private final SyncStats stats = new SyncStats();
    private volatile java.util.function.LongConsumer syncListener = n -> { };
    private volatile long writtenRecords;
    private long syncedRecords;

    /** Counts of fsync batches, for metrics and benchmarks. */
    public static final class SyncStats {
        private long syncs;
        private long records;
        private long earlyWakeups;

        public synchronized long syncs() {
            return syncs;
        }

        public synchronized long records() {
            return records;
        }

        /** Writers woken before their record was durable, who had to wait again (a wasted wake-up each). */
        public synchronized long earlyWakeups() {
            return earlyWakeups;
        }

        synchronized void add(long recs) {
            syncs++;
            records += recs;
        }

        synchronized void earlyWakeup() {
            earlyWakeups++;
        }
    }

    /**
     * What a segment's number does to its records' CRCs: a bijection of the number's low 32 bits, so
     * two segments fewer than 2^32 apart never share a seal.
     */
    static int seal(long segmentId) {
        return (int) segmentId * 0x9E3779B1;
    }

    static final class Segment {
        final long id;
        final Path path;
        final FileChannel channel;
        long size;
        /** End of the zero-filled region written ahead of {@link #size}; at least size. */
        long allocated;
        /** How far ahead the next zero fill goes (see {@link #FILL_AFTER_BIG}). */
        long fill = PREALLOCATE;
        int live;
        /** Written before records were sealed: read as it is, never reused. */
        boolean unsealed;

        Segment(long id, Path path, FileChannel channel, long size) {
            this.id = id;
            this.path = path;
            this.channel = channel;
            this.size = size;
        }
    }

    private Spool(Path dir, boolean fsync, long segmentMax, int inlineMax, InlineBudget held) {
        this.heldBudget = held;
        this.dir = dir;
        this.journalDir = dir.resolve("journal");
        this.bodiesDir = dir.resolve("bodies");
        this.fsync = fsync;
        this.segmentMax = segmentMax;
        this.inlineMax = inlineMax;
    }

    public static Spool open(Path dir, boolean fsync) throws IOException {
        return open(dir, fsync, 64L << 20, 256 << 10);
    }

    public static Spool open(Path dir, boolean fsync, long segmentMax, int inlineMax) throws IOException {
        return open(dir, fsync, segmentMax, inlineMax, InlineBudget.eighthOfHeap());
    }

    static Spool open(Path dir, boolean fsync, long segmentMax, int inlineMax, InlineBudget held) throws IOException {
        Spool s = new Spool(dir, fsync, segmentMax, inlineMax, held);
        s.recover();
        return s;
    }

    public Path dir() {
        return dir;
    }

    public SyncStats syncStats() {
        return stats;
    }

    /** Called after each fsync with the number of records it made durable (group-commit batch size). */
    public void onSync(java.util.function.LongConsumer listener) {
        this.syncListener = listener;
    }

    // ------------------------------------------------------------------ accepting

    /** A fresh queue id; sessions get one too, as sendmail's do, to prefix their log lines. */
    public String newQueueId() {
        return ids.next();
    }

    public Incoming begin() {
        String qid = ids.next();
        return new Incoming(qid, bodiesDir.resolve(qid), inlineMax, inlineBudget, this::giveBackReusePool);
    }

    /**
     * Makes the message durable: when this returns, the envelope and body are on disk (file data and
     * directory entries fsync'd) and the message is queued for delivery.
     */
    public QueuedMessage commit(Incoming in, Envelope env) throws IOException {
        IOException b = broken;
        if (b != null) {
            in.discard();
            throw new IOException("spool unusable after an earlier write error: " + b.getMessage(), b);
        }
        boolean external = in.spilled();
        try {
            in.finish(); // a spilled body's last buffered bytes reach the disk here
            if (external) {
                if (fsync) {
                    in.spillChannel().force(true);
                    forceDir(bodiesDir);
                }
                in.closeSpill();
            }
            byte[] meta = encodeMessageMeta(in.queueId(), env, external, in.size());
            MemoryBody body = external ? null : in.inlineBody();
            QueuedMessage m = new QueuedMessage(in.queueId(), env, in.size());
            m.external = external;
            long seq = append(T_MESSAGE, meta, body, m);
            in.releaseInline(); // the journal has the bytes now
            awaitDurable(seq);
            if (body != null && body.length() > 0 && heldBudget.tryReserve(body.length())) {
                m.holdBody(body); // the runner's first attempt reads it from here, not from the journal
            }
            index.put(m.queueId, m);
            return m;
        } catch (IOException e) {
            in.discard();
            throw classify(e);
        }
    }

    private IOException classify(IOException e) {
        if (e instanceof SpoolFullException) {
            return e; // a body write found the disk full and gave the reuse pool back already
        }
        if (isDiskFull(e)) {
            giveBackReusePool();
            return new SpoolFullException(String.valueOf(e.getMessage()), e);
        }
        return e;
    }

    static boolean isDiskFull(IOException e) {
        String msg = String.valueOf(e.getMessage());
        return msg.contains("No space left") || msg.contains("Disk quota");
    }

    /** The disk is full: the files kept for reuse hold nothing queued, so their space goes back first. */
    private void giveBackReusePool() {
        noReuseUntil = System.currentTimeMillis() + NO_REUSE_AFTER_FULL_MILLIS;
        appendLock.lock();
        try {
            int n = deleteReusable("disk full");
            if (n > 0) {
                log.info("disk full: removed {} journal file(s) kept for reuse", n);
            }
        } finally {
            appendLock.unlock();
        }
    }

    /** Deletes the files kept for reuse; the caller holds appendLock. Returns how many went. */
    private int deleteReusable(String why) {
        int n = 0;
        for (Path p; (p = reusable.poll()) != null; ) {
            try {
                Files.deleteIfExists(p);
                n++;
            } catch (IOException e) {
                log.warn("{}: cannot remove {}: {}", why, p, e.toString());
            }
        }
        return n;
    }

    /** Journals delivery outcomes and waits until they are durable. */
    public void recordResults(List<Result> results) throws IOException {
        if (results.isEmpty()) {
            return;
        }
        long seq = 0;
        for (Result r : results) {
            seq = append(T_RESULT, encodeResult(r), null, null);
        }
        awaitDurable(seq);
        for (Result r : results) {
            QueuedMessage m = index.get(r.queueId());
            if (m != null) {
                m.apply(r);
            }
        }
    }

    /** One journalled outcome for one target of one message. */
    public record Result(String queueId, int target, TargetStatus status, int attempts, long nextAttemptMillis, String reason) {}

    /** Removes a message whose targets are all final; deletes segments that no longer hold anything. */
    public void complete(QueuedMessage m) {
        releaseBody(m);
        if (index.remove(m.queueId) == null) {
            return;
        }
        if (m.external) {
            try {
                Files.deleteIfExists(bodiesDir.resolve(m.queueId));
            } catch (IOException e) {
                log.warn("cannot remove body file of {}: {}", m.queueId, e.toString());
            }
        }
        appendLock.lock();
        try {
            Segment seg = segments.get(m.segment);
            if (seg != null) {
                seg.live--;
            }
            reclaimSegments();
        } finally {
            appendLock.unlock();
        }
    }

    private void reclaimSegments() {
        while (!segments.isEmpty()) {
            Segment oldest = segments.firstEntry().getValue();
            if (oldest == active || oldest.live > 0) {
                return;
            }
            segments.pollFirstEntry();
            try {
                oldest.channel.close();
                if (!oldest.unsealed && reusable.size() < REUSE_POOL && System.currentTimeMillis() >= noReuseUntil) {
                    Path keep = journalDir.resolve(REUSE_PREFIX + oldest.id);
                    Files.move(oldest.path, keep, StandardCopyOption.ATOMIC_MOVE);
                    reusable.add(keep);
                } else {
                    Files.deleteIfExists(oldest.path);
                }
            } catch (IOException e) {
                log.warn("cannot remove journal segment {}: {}", oldest.path, e.toString());
            }
        }
    }

    public List<QueuedMessage> messages() {
        return index.values().stream().sorted(Comparator.comparing(q -> q.arrivalMillis)).toList();
    }

    public QueuedMessage get(String qid) {
        return index.get(qid);
    }

    public int size() {
        return index.size();
    }

    /** Messages found in the journal at start-up; the runner checks their targets for earlier deliveries. */
    public List<QueuedMessage> recoveredMessages() {
        return List.copyOf(recovered);
    }

    /**
     * Stops holding the message's body in memory (after its first delivery attempt): later attempts
     * read it from the journal.
     */
    public void releaseBody(QueuedMessage m) {
        MemoryBody held = m.dropBody();
        if (held != null) {
            heldBudget.release(held.length());
        }
    }

    /** Bytes of bodies held in memory for their first delivery attempt. */
    long heldBytes() {
        return heldBudget.used();
    }

    /** The stored body (Received: header included), CRLF line ends. */
    public InputStream openBody(QueuedMessage m) throws IOException {
        MemoryBody held = m.heldBody();
        if (held != null) {
            return held.open();
        }
        if (m.external) {
            return Files.newInputStream(bodiesDir.resolve(m.queueId));
        }
        Segment seg;
        appendLock.lock();
        try {
            seg = segments.get(m.segment);
        } finally {
            appendLock.unlock();
        }
        if (seg == null) {
            throw new IOException("journal segment of " + m.queueId + " is gone");
        }
        return new ChannelSliceInputStream(seg.channel, m.bodyOffset, m.size);
    }

    // ------------------------------------------------------------------ journal

    private long append(byte type, byte[] meta, MemoryBody body, QueuedMessage m) throws IOException {
        int bodyLen = body == null ? 0 : (int) body.length();
        long payloadLen = (type == T_MESSAGE ? 4L + meta.length + bodyLen : meta.length);
        if (payloadLen > MAX_RECORD) {
            throw new IOException("record too large");
        }
        ByteBuffer head = ByteBuffer.allocate(HEADER + (type == T_MESSAGE ? 4 : 0));
        head.putInt(MAGIC_SEALED).put(type).putInt((int) payloadLen);
        if (type == T_MESSAGE) {
            head.putInt(meta.length);
        }
        head.flip();
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 4, head.limit() - 4);
        crc.update(meta, 0, meta.length);
        ByteBuffer[] chunks = bodyLen > 0 ? body.buffers() : new ByteBuffer[0];
        if (bodyLen > 0) {
            body.update(crc);
        }
        int check = (int) crc.getValue();
        ByteBuffer tail = ByteBuffer.allocate(TRAILER); // sealed below, once the segment is known
        ByteBuffer[] bufs = new ByteBuffer[chunks.length + 3];
        bufs[0] = head;
        bufs[1] = ByteBuffer.wrap(meta);
        System.arraycopy(chunks, 0, bufs, 2, chunks.length);
        bufs[bufs.length - 1] = tail;
        long total = head.remaining() + meta.length + bodyLen + TRAILER;

        appendLock.lock();
        try {
            Segment seg = active;
            if (seg.size > 0 && seg.size + total > segmentMax) {
                seg = rotate();
            }
            long start = seg.size;
            tail.putInt(0, check ^ seal(seg.id));
            try {
                if (fsync && start + total > seg.allocated) {
                    if (total >= BIG_RECORD) {
                        // zeros ahead would be written to disk once more by the next fdatasync: for a big
                        // record that costs more than the size change its own fdatasync commits
                        seg.allocated = start + total;
                        seg.fill = FILL_AFTER_BIG;
                    } else {
                        try {
                            preallocate(seg, start + total);
                            seg.fill = Math.min(PREALLOCATE, seg.fill * 2);
                        } catch (IOException e) {
                            if (!isDiskFull(e)) {
                                throw e;
                            }
                            // no room for zeros ahead: the record alone may still fit
                            seg.fill = FILL_AFTER_BIG;
                        }
                    }
                }
                long written = 0;
                while (written < total) {
                    written += seg.channel.write(bufs, 0, bufs.length);
                }
            } catch (IOException e) {
                undo(seg, start, e);
                throw e;
            }
            seg.size += total;
            if (m != null) {
                m.segment = seg.id;
                m.bodyOffset = start + HEADER + 4 + meta.length;
                seg.live++;
            }
            writtenRecords++;
            writtenSeq += total;
            return writtenSeq;
        } finally {
            appendLock.unlock();
        }
    }

    /** Zero-fills the segment from its allocated end to past {@code need} (see class comment). */
    private static void preallocate(Segment seg, long need) throws IOException {
        long end = Math.max(need, seg.allocated) + seg.fill;
        long pos = Math.max(seg.allocated, seg.size);
        while (pos < end) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(z.capacity(), end - pos));
            pos += seg.channel.write(z, pos);
        }
        seg.allocated = end;
    }

    /** After a failed write, cut the segment back so that no torn record hides later ones. */
    private void undo(Segment seg, long start, IOException cause) {
        try {
            seg.channel.truncate(start);
            seg.allocated = start;
            seg.channel.position(start);
        } catch (IOException e) {
            broken = cause;
            log.error("journal segment {} cannot be repaired after a write error; refusing new mail", seg.path, e);
        }
    }

    private Segment rotate() throws IOException {
        Segment old = active;
        if (old.allocated > old.size) {
            // a full segment keeps no zero tail (recovery would tolerate it, but it is up to 1 MB of disk)
            old.channel.truncate(old.size);
            old.allocated = old.size;
        }
        if (fsync) {
            old.channel.force(false);
        }
        return newSegment(old.id + 1);
    }

    private Segment newSegment(long id) throws IOException {
        Path p = journalDir.resolve(String.format("%016d.log", id));
        Path reuse = reusable.poll();
        FileChannel ch;
        long allocated = 0;
        if (reuse != null) {
            // the old records stay until overwritten; sealed with another number, replay stops at them
            Files.move(reuse, p, StandardCopyOption.ATOMIC_MOVE);
            ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            allocated = ch.size();
        } else {
            ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        if (fsync) {
            forceDir(journalDir);
        }
        Segment s = new Segment(id, p, ch, 0);
        s.allocated = allocated;
        segments.put(id, s);
        active = s;
        return s;
    }

    /**
     * Waits until the journal is durable up to {@code seq}. The fdatasync runs on a platform thread
     * of its own: a session's virtual thread parks instead of holding its carrier in the kernel
     * (a blocked carrier made the scheduler wake a spare one, two context switches per sync), and
     * each sync covers everything appended before it starts (group commit).
     */
    private void awaitDurable(long seq) throws IOException {
        if (!fsync) {
            return;
        }
        syncLock.lock();
        try {
            if (syncedSeq < seq && requestedSeq < seq) {
                requestedSeq = seq;
                if (syncer == null) {
                    if (closing) {
                        throw new IOException("spool closed");
                    }
                    syncer = Thread.ofPlatform().name("journal-sync").daemon(true).start(this::syncLoop);
                }
                syncWanted.signal();
            }
            boolean woken = false;
            while (syncedSeq < seq) {
                IOException b = broken;
                if (b != null) {
                    throw new IOException("spool unusable: " + b.getMessage(), b);
                }
                if (syncerDone) {
                    throw new IOException("spool closed");
                }
                if (woken) {
                    stats.earlyWakeup();
                }
                woken = true;
                boolean covered = seq <= runningTarget; // so the sync of that target is still running
                syncDone[(int) ((covered ? syncsStarted : syncsStarted + 1) & 1)].awaitUninterruptibly();
            }
        } finally {
            syncLock.unlock();
        }
    }

    private void wakeAllWriters() {
        syncDone[0].signalAll();
        syncDone[1].signalAll();
    }

    private void syncLoop() {
        syncLock.lock();
        try {
            while (true) {
                if (broken != null) {
                    wakeAllWriters(); // every waiter gives up: nothing more becomes durable
                }
                if (closing && (requestedSeq <= syncedSeq || broken != null)) {
                    return;
                }
                if (requestedSeq <= syncedSeq || broken != null) {
                    syncWanted.awaitUninterruptibly();
                    continue;
                }
                long targetRecords = writtenRecords;
                long target = writtenSeq;   // read before the segment: see class comment on rotation
                Segment seg = active;
                syncsStarted++;
                runningTarget = target;
                syncLock.unlock();
                IOException failure = null;
                try {
                    seg.channel.force(false);
                } catch (java.nio.channels.ClosedChannelException e) {
                    if (seg == active) {
                        failure = e;
                    } // else: rotated and reclaimed meanwhile; rotate() forced all of it first
                } catch (IOException e) {
                    failure = e;
                } finally {
                    syncLock.lock();
                }
                if (failure != null) {
                    // After a failed fsync the kernel may have dropped the dirty pages: stop accepting.
                    log.error("journal fsync failed; refusing new mail", failure);
                    broken = failure;
                    continue;
                }
                syncedSeq = Math.max(syncedSeq, target);
                long batch = targetRecords - syncedRecords;
                syncedRecords = Math.max(syncedRecords, targetRecords);
                stats.add(batch);
                if (batch > 0) {
                    syncListener.accept(batch);
                }
                syncDone[(int) (syncsStarted & 1)].signalAll();
            }
        } catch (Throwable t) {
            // a failing metrics callback must not leave every later commit waiting for ever
            log.error("journal sync thread failed; refusing new mail", t);
            if (broken == null) {
                broken = new IOException("journal sync thread failed: " + t, t);
            }
        } finally {
            syncerDone = true;
            wakeAllWriters(); // waiters see broken, or that the spool is closed
            syncLock.unlock();
        }
    }

    private static void forceDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    // ------------------------------------------------------------------ encoding

    private static byte[] encodeMessageMeta(String qid, Envelope env, boolean external, long size) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bos);
        writeString(out, qid);
        out.writeLong(env.arrival().toEpochMilli());
        writeString(out, env.sender());
        writeString(out, env.params());
        writeString(out, env.client());
        out.writeInt(env.recipients().size());
        for (String r : env.recipients()) {
            writeString(out, r);
        }
        out.writeInt(env.targets().size());
        for (DeliveryTarget t : env.targets()) {
            out.writeByte(t.kind().ordinal());
            writeString(out, t.value());
            writeString(out, t.mailbox() == null ? "" : t.mailbox());
            out.writeInt(t.recipientIndex());
        }
        out.writeBoolean(external);
        out.writeLong(size);
        // Version 2 appends DSN data after the version 1 fields; a version 1 reader ignores it and
        // version 1 records end here (see class comment).
        out.writeByte(EXT_DSN);
        out.writeInt(env.rcptParams().size());
        for (String p : env.rcptParams()) {
            writeString(out, p);
        }
        out.writeInt(env.targets().size());
        for (DeliveryTarget t : env.targets()) {
            writeString(out, t.errorsTo() == null ? "" : t.errorsTo());
        }
        out.flush();
        return bos.toByteArray();
    }

    private static byte[] encodeResult(Result r) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bos);
        writeString(out, r.queueId());
        out.writeInt(r.target());
        out.writeByte(r.status().code);
        out.writeInt(r.attempts());
        out.writeLong(r.nextAttemptMillis());
        writeString(out, r.reason() == null ? "" : r.reason());
        out.flush();
        return bos.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (16 << 20)) {
            throw new IOException("bad string length " + n);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("truncated string");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ recovery

    private void recover() throws IOException {
        Files.createDirectories(journalDir);
        Files.createDirectories(bodiesDir);
        // files kept for reuse hold nothing queued; a restart starts the pool afresh
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(journalDir, REUSE_PREFIX + "*")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(journalDir, "*.log")) {
            ds.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        long lastId = 0;
        for (int i = 0; i < files.size(); i++) {
            Path p = files.get(i);
            long id = Long.parseLong(p.getFileName().toString().replace(".log", ""));
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Segment seg = new Segment(id, p, ch, 0);
            long valid = replay(seg);
            long actual = ch.size();
            if (valid < actual && zeros(ch, valid, actual)) {
                ch.truncate(valid); // the preallocated tail of a segment that was not closed cleanly
                if (fsync) {
                    ch.force(false);
                }
            } else if (valid < actual) {
                log.warn("journal {}: {} bytes after offset {} do not form a valid record (a torn write that was never"
                        + " acknowledged, or records of the file's earlier use); cut", p.getFileName(), actual - valid, valid);
                ch.truncate(valid);
                if (fsync) {
                    ch.force(false);
                }
            }
            seg.size = valid;
            segments.put(id, seg);
            lastId = id;
        }
        for (QueuedMessage m : index.values()) {
            if (m.allFinal()) {
                index.remove(m.queueId);
                Segment s = segments.get(m.segment);
                if (s != null) {
                    s.live--;
                }
            } else {
                m.recovered = true;
                recovered.add(m);
            }
        }
        removeOrphanBodies();
        // Always start a fresh segment: a recovered tail is never appended to.
        newSegment(lastId + 1);
        appendLock.lock();
        try {
            reclaimSegments();
        } finally {
            appendLock.unlock();
        }
        if (!recovered.isEmpty()) {
            log.info("spool: {} queued message(s) recovered from the journal", recovered.size());
        }
    }

    private void removeOrphanBodies() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(bodiesDir)) {
            for (Path p : ds) {
                if (!index.containsKey(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Replays one segment into the index; returns the offset after the last valid record. The first
     * record says how the segment was written: unsealed records (before reuse) or records sealed with
     * this segment's number, and every later record must be the same.
     */
    private long replay(Segment seg) throws IOException {
        FileChannel ch = seg.channel;
        long size = ch.size();
        long pos = 0;
        int expected = 0;
        int sealWith = 0;
        while (pos + HEADER + TRAILER <= size) {
            byte[] head = readBytes(ch, pos, HEADER);
            if (head == null) {
                break;
            }
            ByteBuffer hb = ByteBuffer.wrap(head);
            int magic = hb.getInt();
            byte type = hb.get();
            long len = hb.getInt() & 0xffffffffL;
            if (expected == 0 && (magic == MAGIC || magic == MAGIC_SEALED)) {
                expected = magic;
                seg.unsealed = magic == MAGIC;
                sealWith = seg.unsealed ? 0 : seal(seg.id);
            }
            if (magic != expected || (type != T_MESSAGE && type != T_RESULT) || pos + HEADER + len + TRAILER > size) {
                break;
            }
            CRC32C crc = new CRC32C();
            crc.update(head, 4, HEADER - 4);
            byte[] kept;
            long metaLen = 0;
            if (type == T_RESULT) {
                kept = readBytes(ch, pos + HEADER, (int) len);
                if (kept == null) {
                    break;
                }
                crc.update(kept);
            } else {
                byte[] lenBytes = len >= 4 ? readBytes(ch, pos + HEADER, 4) : null;
                if (lenBytes == null) {
                    break;
                }
                metaLen = ByteBuffer.wrap(lenBytes).getInt() & 0xffffffffL;
                if (4 + metaLen > len) {
                    break;
                }
                kept = readBytes(ch, pos + HEADER + 4, (int) metaLen);
                if (kept == null) {
                    break;
                }
                crc.update(lenBytes);
                crc.update(kept);
                if (!checksumBody(ch, crc, pos + HEADER + 4 + metaLen, len - 4 - metaLen)) {
                    break;
                }
            }
            byte[] tail = readBytes(ch, pos + HEADER + len, TRAILER);
            if (tail == null || (ByteBuffer.wrap(tail).getInt() ^ sealWith) != (int) crc.getValue()) {
                break; // torn, or left from the file's earlier use (sealed with another segment's number)
            }
            try {
                if (type == T_MESSAGE) {
                    QueuedMessage m = decodeMessage(kept);
                    m.segment = seg.id;
                    m.bodyOffset = pos + HEADER + 4 + metaLen;
                    QueuedMessage prev = index.put(m.queueId, m);
                    if (prev != null) {
                        Segment ps = segments.get(prev.segment);
                        if (ps != null) {
                            ps.live--;
                        }
                    }
                    seg.live++;
                } else {
                    Result r = decodeResult(kept);
                    QueuedMessage m = index.get(r.queueId());
                    if (m != null && r.target() >= 0 && r.target() < m.status.length) {
                        m.apply(r);
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.error("journal {}: record at {} has a valid checksum but cannot be decoded: {}", seg.path, pos, e.toString());
                break;
            }
            pos += HEADER + len + TRAILER;
        }
        return pos;
    }

    private static boolean zeros(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(65536);
        long pos = from;
        while (pos < to) {
            chunk.clear();
            chunk.limit((int) Math.min(chunk.capacity(), to - pos));
            int n = readFully(ch, chunk, pos);
            if (n <= 0) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            pos += n;
        }
        return true;
    }

    private static boolean checksumBody(FileChannel ch, CRC32C crc, long pos, long len) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(Math.max(len, 1), 65536));
        long off = 0;
        while (off < len) {
            chunk.clear();
            chunk.limit((int) Math.min(chunk.capacity(), len - off));
            int n = readFully(ch, chunk, pos + off);
            if (n <= 0) {
                return false;
            }
            crc.update(chunk.array(), 0, n);
            off += n;
        }
        return true;
    }

    private static byte[] readBytes(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        return readFully(ch, b, pos) == n ? b.array() : null;
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static QueuedMessage decodeMessage(byte[] meta) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(meta));
        String qid = readString(in);
        long arrival = in.readLong();
        String sender = readString(in);
        String params = readString(in);
        String client = readString(in);
        int nr = in.readInt();
        List<String> rcpts = new ArrayList<>(nr);
        for (int i = 0; i < nr; i++) {
            rcpts.add(readString(in));
        }
        int nt = in.readInt();
        List<DeliveryTarget> targets = new ArrayList<>(nt);
        for (int i = 0; i < nt; i++) {
            DeliveryTarget.Kind kind = DeliveryTarget.Kind.values()[in.readByte()];
            String value = readString(in);
            String mailbox = readString(in);
            targets.add(new DeliveryTarget(kind, value, mailbox.isEmpty() ? null : mailbox, in.readInt()));
        }
        boolean external = in.readBoolean();
        long size = in.readLong();
        List<String> rcptParams = new ArrayList<>();
        if (in.available() > 0 && in.readByte() == EXT_DSN) {
            int np = in.readInt();
            for (int i = 0; i < np; i++) {
                rcptParams.add(readString(in));
            }
            int ne = in.readInt();
            for (int i = 0; i < ne; i++) {
                String errorsTo = readString(in);
                if (i < targets.size() && !errorsTo.isEmpty()) {
                    DeliveryTarget t = targets.get(i);
                    targets.set(i, new DeliveryTarget(t.kind(), t.value(), t.mailbox(), t.recipientIndex(), errorsTo));
                }
            }
        }
        Envelope env = new Envelope(sender, params, client, rcpts, targets, Instant.ofEpochMilli(arrival), rcptParams);
        QueuedMessage m = new QueuedMessage(qid, env, size);
        m.external = external;
        return m;
    }

    private static Result decodeResult(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        String qid = readString(in);
        int target = in.readInt();
        TargetStatus st = TargetStatus.of(in.readByte());
        int attempts = in.readInt();
        long next = in.readLong();
        String reason = readString(in);
        return new Result(qid, target, st, attempts, next, reason.isEmpty() ? null : reason);
    }

    // ------------------------------------------------------------------ reading without a server

    /** Reads the queue as it is on disk, read-only, for {@code tacit mailq} while a server may run. */
    public static List<MessageInfo> list(Path spoolDir) throws IOException {
        Path journal = spoolDir.resolve("journal");
        if (!Files.isDirectory(journal)) {
            return List.of();
        }
        Spool s = new Spool(spoolDir, false, Long.MAX_VALUE, 0, new InlineBudget(0));
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(journal, "*.log")) {
            ds.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        for (Path p : files) {
            long id = Long.parseLong(p.getFileName().toString().replace(".log", ""));
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                Segment seg = new Segment(id, p, ch, 0);
                s.segments.put(id, seg);
                s.replay(seg);
            }
        }
        List<MessageInfo> out = new ArrayList<>();
        for (QueuedMessage m : s.index.values()) {
            if (!m.allFinal()) {
                out.add(m.info());
            }
        }
        out.sort(Comparator.comparing(MessageInfo::arrival));
        return out;
    }

    @Override
    public void close() {
        Thread t;
        syncLock.lock();
        try {
            closing = true;
            syncWanted.signal(); // the syncer finishes what writers wait for, then ends
            t = syncer;
        } finally {
            syncLock.unlock();
        }
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        appendLock.lock();
        try {
            for (Segment seg : segments.values()) {
                try {
                    if (seg.allocated > seg.size) {
                        seg.channel.truncate(seg.size); // drop the preallocated zeros
                    }
                    if (fsync && seg == active) {
                        seg.channel.force(false);
                    }
                    seg.channel.close();
                } catch (IOException e) {
                    log.warn("closing {}: {}", seg.path, e.toString());
                }
            }
            deleteReusable("closing");
        } finally {
            appendLock.unlock();
        }
    }

    /** Reads a slice of a journal segment by positional reads (thread-safe on a shared channel). */
    static final class ChannelSliceInputStream extends InputStream {
        private final FileChannel ch;
        private long pos;
        private final long end;

        ChannelSliceInputStream(FileChannel ch, long pos, long len) {
            this.ch = ch;
            this.pos = pos;
            this.end = pos + len;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n <= 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= end) {
                return -1;
            }
            int n = (int) Math.min(len, end - pos);
            int r = ch.read(ByteBuffer.wrap(b, off, n), pos);
            if (r > 0) {
                pos += r;
            }
            return r;
        }
    }
}
