package dev.tacit.testing;

import java.io.InputStream;

/**
 * Bytes served at most {@code chunk} at a time, the way a socket hands over a slow or fragmented
 * stream; fuzz targets use it to cross every buffer boundary of the readers under test. Counts what
 * the reader pulled, so a test can tell how far a reader consumed.
 */
public final class ChunkedInput extends InputStream {

    private final byte[] data;
    private final int chunk;
    private int pos;

    public ChunkedInput(byte[] data, int chunk) {
        this.data = data;
        this.chunk = Math.max(1, chunk);
    }

    @Override
    public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos >= data.length) {
            return -1;
        }
        int n = Math.min(Math.min(len, chunk), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Bytes handed out so far. */
    public int pulled() {
        return pos;
    }
}
