package dev.tacit.delivery;

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
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Delivery into a Maildir (cr.yp.to/proto/maildir.html): write into {@code tmp/}, fsync, rename into
 * {@code new/}. The caller fsyncs {@code new/} once for a whole batch before it journals the result.
 *
 * <p>Exactly once: the file name is derived from the queue id and target index, so after a crash a
 * redelivery finds the earlier copy (in {@code new/}, or in {@code cur/} with flags appended) and does
 * not write a second one. Line ends become LF, as Maildir readers expect; {@code Return-Path:} and
 * {@code Delivered-To:} are prepended as local delivery agents do.
 */
public final class MaildirDelivery {

    private final boolean fsync;

    public MaildirDelivery(boolean fsync) {
        this.fsync = fsync;
    }

    /** A Maildir unique name: {@code <seconds>.Q<qid>_<target>.<host>}, with '/' and ':' encoded. */
    public static String uniqueName(long arrivalMillis, String queueId, int target, String hostname) {
        String host = hostname.replace("/", "\\057").replace(":", "\\072");
        return (arrivalMillis / 1000) + ".Q" + queueId + "_" + target + "." + host;
    }

    public DeliveryResult deliver(Path maildir, String uniqueName, String sender, String deliveredTo, InputStream body,
            boolean checkExisting) {
        Path tmp = maildir.resolve("tmp");
        Path nw = maildir.resolve("new");
        Path cur = maildir.resolve("cur");
        try {
            ensure(maildir);
            ensure(tmp);
            ensure(nw);
            ensure(cur);
            if (checkExisting && alreadyDelivered(nw, cur, uniqueName)) {
                return new DeliveryResult.Delivered(nw, "already delivered before a restart");
            }
            Path tmpFile = tmp.resolve(uniqueName);
            try (FileChannel ch = FileChannel.open(tmpFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 65536);
                out.write(("Return-Path: <" + sender + ">\nDelivered-To: " + deliveredTo + "\n").getBytes(StandardCharsets.UTF_8));
                copyCrlfToLf(body, out);
                out.flush();
                if (fsync) {
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
            Files.move(tmpFile, nw.resolve(uniqueName), StandardCopyOption.ATOMIC_MOVE);
            return new DeliveryResult.Delivered(nw, nw.resolve(uniqueName).toString());
        } catch (FileAlreadyExistsException e) {
            return new DeliveryResult.Delivered(nw, "already delivered");
        } catch (AccessDeniedException e) {
            return new DeliveryResult.Temporary("permission denied: " + e.getFile());
        } catch (IOException e) {
            return new DeliveryResult.Temporary(String.valueOf(e.getMessage()));
        }
    }

    private static void ensure(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            try {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(d);
            }
        }
    }

    private static boolean alreadyDelivered(Path nw, Path cur, String name) throws IOException {
        if (Files.exists(nw.resolve(name)) || Files.exists(cur.resolve(name))) {
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

    static void copyCrlfToLf(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[65536];
        boolean pendingCr = false;
        int n;
        while ((n = in.read(buf)) > 0) {
            int start = 0;
            if (pendingCr) {
                if (buf[0] != '\n') {
                    out.write('\r');
                }
                pendingCr = false;
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\r') {
                    if (i + 1 < n) {
                        if (buf[i + 1] == '\n') {
                            out.write(buf, start, i - start);
                            start = i + 1;
                        }
                    } else {
                        out.write(buf, start, i - start);
                        start = n;
                        pendingCr = true;
                    }
                }
            }
            if (start < n) {
                out.write(buf, start, n - start);
            }
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
