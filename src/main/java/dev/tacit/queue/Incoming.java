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
 */
public final class Incoming extends OutputStream {

    private final String queueId;
    private final Path spillPath;
    private final int inlineMax;
    private final InlineBudget budget;
    private long reserved;      // bytes of buf counted against the budget (all but the first 4 KB)
    private byte[] buf = new byte[4096];
    private int len;
    private FileChannel spill;
    private OutputStream spillOut;
    private long size;
    private boolean closed;

    Incoming(String queueId, Path spillPath, int inlineMax, InlineBudget budget) {
        this.queueId = queueId;
        this.spillPath = spillPath;
        this.inlineMax = inlineMax;
        this.budget = budget;
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

    byte[] inlineBytes() {
        return buf;
    }

    int inlineLength() {
        return len;
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
        if (spill != null) {
            spillOut.write(b, off, n);
            return;
        }
        if (len + n > inlineMax) {
            spill(b, off, n);
            return;
        }
        if (len + n > buf.length) {
            int grown = Math.min(inlineMax, Math.max(len + n, buf.length * 2));
            if (!budget.tryReserve(grown - buf.length)) {
                spill(b, off, n); // every session together holds as much as they may: this body goes to disk
                return;
            }
            reserved += grown - buf.length;
            buf = Arrays.copyOf(buf, grown);
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void spill(byte[] b, int off, int n) throws IOException {
        Files.createDirectories(spillPath.getParent());
        spill = FileChannel.open(spillPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        spillOut = new java.io.BufferedOutputStream(Channels.newOutputStream(spill), 65536);
        spillOut.write(buf, 0, len);
        spillOut.write(b, off, n);
        buf = null;
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
        buf = null;
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
