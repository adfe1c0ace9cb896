package dev.tacit.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A message being received. Small bodies stay in memory and go into the journal record itself; a
 * body that grows past the inline limit is streamed to its own file, so memory does not grow with
 * message size. Not thread-safe: one session writes it.
 *
 * <p>Security: memory held by all bodies being received is also bounded as a whole ({@link
 * InlineBudget}): a thousand clients each sending 250 KB and never ending DATA would otherwise hold
 * 250 MB of heap; once the budget is spent, bodies go to disk from their first growth on.
 *
 * <p>The body is kept in chunks that are never copied to grow (4 KB, then the size so far, at most
 * 64 KB): a 100 KB body that doubled one array copied 124 KB and zeroed 248 KB on the way.
 */
public final class Incoming extends OutputStream {

    private final String queueId;
    private final Path spillPath;
    private final int inlineMax;
    private final InlineBudget budget;
    /** Told when a write finds the disk full (the spool gives back what it keeps for reuse). */
    private final Runnable diskFull;
    private static final int FIRST_CHUNK = 4096;
    private static final int MAX_CHUNK = 64 << 10;

    private long reserved;      // bytes of chunks counted against the budget (all but the first 4 KB)
    private byte[][] chunks = {new byte[FIRST_CHUNK]};
    private int count = 1;      // chunks in use; all but the last are full
    private int last;           // bytes used in chunks[count - 1]
    private int len;
    private FileChannel spill;
    private OutputStream spillOut;
    private long size;
    private boolean closed;

    Incoming(String queueId, Path spillPath, int inlineMax, InlineBudget budget, Runnable diskFull) {
        this.queueId = queueId;
        this.spillPath = spillPath;
        this.inlineMax = inlineMax;
        this.budget = budget;
        this.diskFull = diskFull;
    }

    public String queueId() {
        return queueId;
    }

    public long size() {
        return size;
    }

    boolean spilled() {
        return spill != null;
    }

    Path spillPath() {
        return spillPath;
    }

    FileChannel spillChannel() {
        return spill;
    }

    /** The body held in memory: full chunks, then {@code lastLength} bytes of the last one. */
    MemoryBody inlineBody() {
        return new MemoryBody(Arrays.copyOf(chunks, count), last, len);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        if (closed) {
            throw new IOException("message already committed or aborted");
        }
        size += n;
        try {
            append(b, off, n);
        } catch (IOException e) {
            if (Spool.isDiskFull(e)) {
                diskFull.run();
                throw new SpoolFullException(String.valueOf(e.getMessage()), e);
            }
            throw e;
        }
    }

    private void append(byte[] b, int off, int n) throws IOException {
        if (spill != null) {
            spillOut.write(b, off, n);
            return;
        }
        if (len + n > inlineMax) {
            spill(b, off, n);
            return;
        }
        while (n > 0) {
            byte[] c = chunks[count - 1];
            if (last == c.length) {
                int grow = Math.min(MAX_CHUNK, Math.max(FIRST_CHUNK, len));
                if (!budget.tryReserve(grow)) {
                    spill(b, off, n); // every session together holds as much as they may: this body goes to disk
                    return;
                }
                reserved += grow;
                if (count == chunks.length) {
                    chunks = Arrays.copyOf(chunks, count * 2);
                }
                c = chunks[count++] = new byte[grow];
                last = 0;
            }
            int k = Math.min(n, c.length - last);
            System.arraycopy(b, off, c, last, k);
            last += k;
            len += k;
            off += k;
            n -= k;
        }
    }

    private void spill(byte[] b, int off, int n) throws IOException {
        Files.createDirectories(spillPath.getParent());
        spill = FileChannel.open(spillPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        spillOut = new java.io.BufferedOutputStream(Channels.newOutputStream(spill), 65536);
        for (int i = 0; i < count; i++) {
            spillOut.write(chunks[i], 0, i == count - 1 ? last : chunks[i].length);
        }
        spillOut.write(b, off, n);
        chunks = null;
        len = 0;
        releaseInline();
    }

    /** Gives the memory this body counted back to the budget (once the journal holds it, or it is dropped). */
    void releaseInline() {
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    /** Flushes a spilled body to its file; the spool then fsyncs it. */
    void finish() throws IOException {
        if (spillOut != null) {
            spillOut.flush();
        }
        closed = true;
    }

    /** Drops the message: frees memory and removes a spilled file. */
    public void discard() {
        closed = true;
        chunks = null;
        releaseInline();
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException ignored) {
                // the file is removed next
            }
            try {
                Files.deleteIfExists(spillPath);
            } catch (IOException ignored) {
                // a leftover incoming file is removed at the next start
            }
        }
    }

    void closeSpill() throws IOException {
        if (spill != null) {
            spill.close();
        }
    }
}
