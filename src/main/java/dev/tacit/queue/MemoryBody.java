package dev.tacit.queue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
        List<InputStream> parts = new ArrayList<>(chunks.length);
        for (int i = 0; i < chunks.length; i++) {
            parts.add(new ByteArrayInputStream(chunks[i], 0, chunkLength(i)));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }
}
