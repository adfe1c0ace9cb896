package dev.tacit.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted by the test (as root) so that "the disk is full" can really happen, and be
 * undone: {@link #fill()} writes a filler file until the file system refuses, {@link #free()} removes
 * it. {@link #close()} unmounts. Without the right to mount, the test is skipped, or fails under CI.
 */
public final class SmallDisk implements AutoCloseable {

    private final Path mountPoint;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    public static SmallDisk mount(Path mountPoint, long bytes) throws Exception {
        Path mount = External.require("mount");
        External.require("umount");
        Files.createDirectories(mountPoint);
        Process p = new ProcessBuilder(mount.toString(), "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tacit-test",
                mountPoint.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            String msg = "cannot mount a tmpfs at " + mountPoint + " (the test needs root): " + out.strip();
            if (External.ci()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        return new SmallDisk(mountPoint);
    }

    public Path path() {
        return mountPoint;
    }

    /** Writes a filler file until the file system is full (ENOSPC); returns the bytes written. */
    public long fill() throws IOException {
        long written = 0;
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(mountPoint.resolve(".filler"))) {
            for (int i = 0; i < 1_000_000; i++) {
                out.write(chunk);
                out.flush();
                written += chunk.length;
            }
            throw new IllegalStateException("the disk never filled up");
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        // the last page may still take a few bytes: take those too
        try (OutputStream out = Files.newOutputStream(mountPoint.resolve(".filler2"))) {
            for (int i = 0; i < 8192; i++) {
                out.write(0);
                out.flush();
                written++;
            }
        } catch (IOException e) {
            // full
        }
        return written;
    }

    public void free() throws IOException {
        Files.deleteIfExists(mountPoint.resolve(".filler"));
        Files.deleteIfExists(mountPoint.resolve(".filler2"));
    }

    @Override
    public void close() throws Exception {
        Process p = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
