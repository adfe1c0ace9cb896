package dev.tacit.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finding the real programs tests talk to (swaks, nmap, postgres, redis-server, sendmail, ...). On a
 * developer machine a missing program skips the test; under {@code CI=true} it fails it, because
 * .ci/run installs everything and a silent skip would hide a broken setup.
 */
public final class External {

    private External() {}

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The program's path; skips (or, under CI, fails) the test when it is not installed. */
    public static Path require(String program, String... extraDirs) {
        Path p = find(program, extraDirs);
        if (p == null) {
            String msg = program + " is not installed (.ci/run installs it)";
            if (ci()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        return p;
    }

    public static Path find(String program, String... extraDirs) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin";
        for (String d : extraDirs) {
            path = d + ":" + path;
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** The repository root (tests run with it as the working directory under Maven). */
    public static Path projectDir() {
        String d = System.getenv("TACIT_PROJECT_DIR");
        return d != null ? Path.of(d) : Path.of("").toAbsolutePath();
    }
}
