package dev.tacit.queue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A body held in memory as chunks: every chunk but the last is full, the last holds {@code lastLength}
 * bytes. Immutable once made: the session that filled it has committed or dropped the message.
 */
record MemoryBody(byte[][] chunks, int lastLength, long length) {

    int chunkLength(int i) {
        return i == chunks.length - 1 ? lastLength : chunks[i].length;
    }

    void update(CRC32C crc) {
        for (int i = 0; i < chunks.length; i++) {
            crc.update(chunks[i], 0, chunkLength(i));
        }
    }

    /** Fresh buffers over the chunks, for one gathering write. */
    ByteBuffer[] buffers() {
        ByteBuffer[] b = new ByteBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            b[i] = ByteBuffer.wrap(chunks[i], 0, chunkLength(i));
        }
        return b;
    }

    InputStream open() {
        return new InputStream() {
            private int chunk;
            private int pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int n) {
                while (chunk < chunks.length && pos == chunkLength(chunk)) {
                    chunk++;
                    pos = 0;
                }
                if (chunk == chunks.length) {
                    return n == 0 ? 0 : -1;
                }
                int k = Math.min(n, chunkLength(chunk) - pos);
                System.arraycopy(chunks[chunk], pos, b, off, k);
                pos += k;
                return k;
            }
        };
    }
}
