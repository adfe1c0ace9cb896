package dev.tacit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads what the server delivered, for assertions. */
public final class Maildirs {

    private final Path root;

    public Maildirs(Path root) {
        this.root = root;
    }

    /** Every message file in a user's new/ and cur/. */
    public List<Path> messages(String user) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String sub : new String[] {"new", "cur"}) {
            Path d = root.resolve(user).resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.forEach(out::add);
                }
            }
        }
        return out;
    }

    public List<String> contents(String user) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : messages(user)) {
            out.add(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Waits until a user has at least n messages; returns their contents. */
    public List<String> await(String user, int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (messages(user).size() >= n) {
                return contents(user);
            }
            Thread.sleep(20);
        }
        throw new AssertionError(user + ": expected " + n + " message(s) within " + timeout + ", found " + messages(user).size());
    }
}
