package dev.tacit.lint;

import dev.tacit.testing.External;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The configuration files Debian 12 ships, unpacked (not installed) by .ci/run with {@code apt-get
 * download} + {@code dpkg -x} of sendmail-cf, postfix and exim4-config into target/debian-configs
 * (or $TACIT_DEBIAN_CONFIGS). Missing: a skip on a dev machine, a failure under CI. Never committed.
 */
final class DebianConfigs {

    private DebianConfigs() {}

    static Path root() {
        String env = System.getenv("TACIT_DEBIAN_CONFIGS");
        Path root = env != null ? Path.of(env) : External.projectDir().resolve("target/debian-configs");
        if (!Files.isRegularFile(root.resolve("usr/share/postfix/main.cf.debian"))) {
            String msg = "Debian configs not unpacked at " + root + " (.ci/run does it)";
            if (External.ci()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        return root;
    }

    /** Debian's sendmail.mc turned into sendmail.cf by real m4 with the unpacked m4 files. */
    static Path buildSendmailCf(Path root, Path dir) throws IOException, InterruptedException {
        Path m4 = External.require("m4");
        Path cfDir = root.resolve("usr/share/sendmail/cf");
        String mc = Files.readString(root.resolve("usr/share/sendmail/cf/debian/sendmail.mc"), StandardCharsets.ISO_8859_1)
                .replace("/usr/share/sendmail/cf", cfDir.toString())
                .replaceAll("(?m)^include\\(`/etc/mail/m4/[^']*'\\)dnl\\n", "");
        Path mcFile = dir.resolve("sendmail.mc");
        Files.writeString(mcFile, mc, StandardCharsets.ISO_8859_1);
        return m4(m4, mcFile, dir.resolve("sendmail.cf"));
    }

    static Path m4(Path m4, Path mc, Path out) throws IOException, InterruptedException {
        Result r = run(List.of(m4.toString(), mc.toString()), null, null);
        if (r.code() != 0) {
            throw new AssertionError("m4 failed: " + r.err());
        }
        Files.writeString(out, r.out(), StandardCharsets.ISO_8859_1);
        return out;
    }

    record Result(int code, String out, String err) {}

    /** Runs a program with a time limit; output captured. */
    static Result run(List<String> cmd, String stdin, java.util.Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd));
        if (env != null) {
            pb.environment().putAll(env);
        }
        Path outFile = Files.createTempFile("tacit-run", ".out");
        Path errFile = Files.createTempFile("tacit-run", ".err");
        pb.redirectOutput(outFile.toFile());
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 60 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(outFile, StandardCharsets.ISO_8859_1),
                Files.readString(errFile, StandardCharsets.ISO_8859_1));
        Files.deleteIfExists(outFile);
        Files.deleteIfExists(errFile);
        return r;
    }
}
