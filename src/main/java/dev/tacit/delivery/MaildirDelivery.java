package dev.tacit.delivery;

import dev.tacit.smtp.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivery into a Maildir (cr.yp.to/proto/maildir.html): write into {@code tmp/}, rename into
 * {@code new/}; the caller then makes the batch durable with {@link #syncBatch} before it journals
 * the results (config: queue.fsync, queue.maildir_sync).
 *
 * <p>Durability, by {@link Sync} mode: FILE fsyncs each file before its rename and each {@code new/}
 * folder after the batch (what Postfix's virtual(8) does); BATCH writes the whole batch without
 * fsync and then calls syncfs(2) once per file system ({@link SyncFs}), one journal commit instead
 * of one per file.
 *
 * <p>Exactly once: the file name is derived from the queue id and target index. After a crash, a
 * redelivery of the message finds a copy the reader has already taken into {@code cur/} (flags
 * appended or not) and stops there. A copy still in {@code new/} is written again under the same
 * name, fsync'd and renamed over it: in BATCH mode a crash between rename and syncfs can leave the
 * name without its data, and rewriting an intact copy changes nothing. Line ends become LF, as
 * Maildir readers expect; {@code Return-Path:} and {@code Delivered-To:} are prepended as local
 * delivery agents do.
 */
public final class MaildirDelivery {

    /** How delivered files become durable (see class comment). */
    public enum Sync { NONE, FILE, BATCH }

    private static final int MAX_BUFFER = 64 << 10;

    private final Sync sync;
    /** Maildirs whose three folders this process has seen (a missing cur/ alone breaks readers, not delivery). */
    private final Set<Path> checked = ConcurrentHashMap.newKeySet();
    private static final int CHECKED_MAX = 100_000;

    public MaildirDelivery(Sync sync) {
        this.sync = sync == Sync.BATCH && !SyncFs.available() ? Sync.FILE : sync;
    }

    public MaildirDelivery(boolean fsync) {
        this(fsync ? Sync.FILE : Sync.NONE);
    }

    /** The mode in use (BATCH falls back to FILE where syncfs cannot be called). */
    public Sync sync() {
        return sync;
    }

    /**
     * Makes a batch's deliveries durable before their results are journalled: the {@code new/}
     * folders they were renamed into (FILE), or the file systems holding them (BATCH).
     */
    public void syncBatch(Collection<Path> newDirs) throws IOException {
        switch (sync) {
            case NONE -> { }
            case FILE -> {
                for (Path d : newDirs) {
                    syncDirectory(d);
                }
            }
            case BATCH -> {
                Map<Object, Path> byDevice = new HashMap<>();
                for (Path d : newDirs) {
                    byDevice.putIfAbsent(Files.getAttribute(d, "unix:dev"), d);
                }
                for (Path d : byDevice.values()) {
                    SyncFs.sync(d);
                }
            }
        }
    }

    /** A Maildir unique name: {@code <seconds>.Q<qid>_<target>.<host>}, with '/' and ':' encoded. */
    public static String uniqueName(long arrivalMillis, String queueId, int target, String hostname) {
        String host = hostname.replace("/", "\\057").replace(":", "\\072");
        return (arrivalMillis / 1000) + ".Q" + queueId + "_" + target + "." + host;
    }

    public DeliveryResult deliver(Path maildir, String uniqueName, String sender, String deliveredTo, InputStream body,
            boolean checkExisting) {
        return deliver(maildir, uniqueName, sender, deliveredTo, body, MAX_BUFFER, checkExisting);
    }

    /** As above; {@code sizeHint} (the body's size) keeps the buffers small for small messages. */
    public DeliveryResult deliver(Path maildir, String uniqueName, String sender, String deliveredTo, InputStream body,
            long sizeHint, boolean checkExisting) {
        Path tmp = maildir.resolve("tmp");
        Path nw = maildir.resolve("new");
        Path cur = maildir.resolve("cur");
        try {
            if (checkExisting) {
                ensureAll(maildir, tmp, nw, cur);
                if (alreadyRead(cur, uniqueName)) {
                    return new DeliveryResult.Delivered(nw, "already delivered before a restart");
                }
            } else if (!checked.contains(maildir)) {
                // once per mailbox per process: after that a write finds tmp/ or new/ missing by itself
                ensureAll(maildir, tmp, nw, cur);
                if (checked.size() >= CHECKED_MAX) {
                    checked.clear();
                }
                checked.add(maildir);
            }
            boolean force = sync == Sync.FILE || sync == Sync.BATCH && checkExisting;
            Path tmpFile = tmp.resolve(uniqueName);
            FileChannel opened;
            try {
                opened = openForWriting(tmpFile);
            } catch (NoSuchFileException e) {
                // a new mailbox (or one whose folders were removed): made here, not looked for on every delivery
                ensureAll(maildir, tmp, nw, cur);
                opened = openForWriting(tmpFile);
            }
            try (FileChannel ch = opened) {
                byte[] head = ("Return-Path: <" + sender + ">\nDelivered-To: " + deliveredTo + "\n").getBytes(StandardCharsets.UTF_8);
                // one buffer the size of the message (at most 64 KiB): a 1 KB message is one write
                int buffer = (int) Math.min(MAX_BUFFER, Math.max(512, sizeHint + 1));
                OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), head.length + buffer);
                out.write(head);
                copyCrlfToLf(body, out, buffer);
                out.flush();
                if (force) {
                    ch.force(true);
                }
            } catch (IOException e) {
                // a full disk: the partial copy would only take space from the retry
                try {
                    Files.deleteIfExists(tmpFile);
                } catch (IOException ignored) {
                    // the delivery is deferred either way
                }
                throw e;
            }
            try {
                Files.move(tmpFile, nw.resolve(uniqueName), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                ensureAll(maildir, tmp, nw, cur); // new/ went missing since tmp/ was written
                Files.move(tmpFile, nw.resolve(uniqueName), StandardCopyOption.ATOMIC_MOVE);
            }
            return new DeliveryResult.Delivered(nw, nw.resolve(uniqueName).toString());
        } catch (FileAlreadyExistsException e) {
            return new DeliveryResult.Delivered(nw, "already delivered");
        } catch (AccessDeniedException e) {
            return new DeliveryResult.Temporary("permission denied: " + e.getFile());
        } catch (IOException e) {
            return new DeliveryResult.Temporary(String.valueOf(e.getMessage()));
        }
    }

    private static FileChannel openForWriting(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    private static void ensureAll(Path... dirs) throws IOException {
        for (Path d : dirs) {
            ensure(d);
        }
    }

    private static void ensure(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            try {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(d);
            } catch (FileAlreadyExistsException e) {
                // a file, or a link to nowhere (a mailbox on a missing mount): retry later, never
                // "already delivered", which the caller takes FileAlreadyExistsException to mean
                throw new IOException("not a directory: " + d, e);
            }
        }
    }

    private static boolean alreadyRead(Path cur, String name) throws IOException {
        if (Files.exists(cur.resolve(name))) {
            return true;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cur, glob(name) + ":*")) {
            return ds.iterator().hasNext();
        }
    }

    private static String glob(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ("*?[]{}\\".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * Copies the body with each CRLF turned into LF, a bare CR kept. Each chunk is compacted in place
     * and written once: a write per line cost a 100 KB message some 1,400 calls into the stream (8% of
     * its CPU in the profile).
     */
    static void copyCrlfToLf(InputStream in, OutputStream out, int bufferSize) throws IOException {
        byte[] buf = new byte[bufferSize];
        boolean pendingCr = false;
        int n;
        while ((n = in.read(buf)) > 0) {
            if (pendingCr && buf[0] != '\n') {
                out.write('\r'); // the CR that ended the last chunk was not part of a CRLF
            }
            pendingCr = false;
            int w = 0; // compacted in place: the runs between CRs move down over the dropped ones
            int i = 0;
            while (true) {
                int cr = Bytes.indexOf(buf, i, n, (byte) '\r');
                int end = cr < 0 ? n : cr;
                if (w != i) {
                    System.arraycopy(buf, i, buf, w, end - i);
                }
                w += end - i;
                if (cr < 0) {
                    break;
                }
                if (cr + 1 == n) {
                    pendingCr = true; // decided by the next chunk's first byte
                    break;
                }
                if (buf[cr + 1] != '\n') {
                    buf[w++] = '\r'; // a bare CR stays
                }
                i = cr + 1;
            }
            out.write(buf, 0, w);
        }
        if (pendingCr) {
            out.write('\r');
        }
    }

    /** fsync a directory so that renames into it survive a crash. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
