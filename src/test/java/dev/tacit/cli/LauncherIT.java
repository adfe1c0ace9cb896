package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's launcher, {@code ./tacit}, run as a newcomer runs it: it finds a JDK 21+ even when
 * JAVA_HOME and PATH name an older one, builds the jar when it is missing or older than the sources,
 * and then runs the command. The build step is the project's own `./mvnw`, so a copy of the script
 * runs in a scratch tree whose mvnw only records that it was asked and puts the real jar in place
 * (running Maven inside Maven would take minutes).
 */
class LauncherIT {

    @TempDir
    Path dir;

    record Run(int exit, String out) {}

    private Run run(Path cwd, Map<String, String> env, String... cmd) throws Exception {
        Path out = Files.createTempFile(dir, "launcher", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** The major version of a java binary, from its own -version output. */
    private static int major(String java) throws Exception {
        Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Matcher m = Pattern.compile("version \"(\\d+)").matcher(v);
        assertThat(m.find()).as(v).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** A JDK older than 21 on this machine (Debian's default java is 17 here), or null. */
    private static Path olderJdk() throws IOException {
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return null;
        }
        try (Stream<Path> s = Files.list(jvm)) {
            for (Path home : s.sorted().toList()) {
                Path java = home.resolve("bin/java");
                try {
                    if (Files.isExecutable(java) && major(java.toString()) < 21) {
                        return home;
                    }
                } catch (Exception | AssertionError e) {
                    // not a usable JDK
                }
            }
        }
        return null;
    }

    @Test
    void findsAJdk21EvenWhenJavaHomeAndPathNameAnOlderOne() throws Exception {
        Path launcher = External.projectDir().resolve("tacit");
        Path old = olderJdk();
        Map<String, String> env = old == null ? Map.of()
                : Map.of("JAVA_HOME", old.toString(), "PATH", old.resolve("bin") + ":/usr/bin:/bin");
        Run r = run(External.projectDir(), env, "bash", launcher.toString(), "--print-java");
        assertThat(r.exit()).as(r.out()).isZero();
        String java = r.out().strip();
        assertThat(major(java)).as("the launcher picked %s (JAVA_HOME was %s)", java, old).isGreaterThanOrEqualTo(21);
    }

    @Test
    void buildsTheJarWhenMissingOrStaleThenRunsTheCommand() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(External.projectDir().resolve("tacit"), tree.resolve("tacit"));
        Files.createDirectories(tree.resolve("src/main/java"));
        Path source = Files.writeString(tree.resolve("src/main/java/A.java"), "class A {}\n");
        Path pom = Files.writeString(tree.resolve("pom.xml"), "<project/>\n");
        Path mvnw = tree.resolve("mvnw");
        Files.writeString(mvnw, """
                #!/bin/sh
                echo "$@" >> mvnw.calls
                mkdir -p target && cp '%s' target/tacit.jar
                """.formatted(TacitProcess.jar()));
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path calls = tree.resolve("mvnw.calls");
        Path data = Files.createDirectories(dir.resolve("data"));
        List<String> mailq = new ArrayList<>(List.of("bash", "./tacit", "mailq", "--data-dir", data.toString()));

        Run first = run(tree, Map.of(), mailq.toArray(String[]::new));
        assertThat(first.exit()).as(first.out()).isZero();
        assertThat(first.out()).contains("tacit: building " + tree.resolve("target/tacit.jar")).contains("Mail queue is empty");
        assertThat(Files.readAllLines(calls)).containsExactly("-q -B -DskipTests package");

        // up to date: no build
        Instant now = Instant.now();
        // find(1) -newer sees folders too: a folder gets a new time when a file is added to it
        for (Path p : List.of(source, pom, tree.resolve("src/main/java"), tree.resolve("src/main"))) {
            Files.setLastModifiedTime(p, FileTime.from(now.minusSeconds(60)));
        }
        Files.setLastModifiedTime(tree.resolve("target/tacit.jar"), FileTime.from(now.minusSeconds(30)));
        Run second = run(tree, Map.of(), mailq.toArray(String[]::new));
        assertThat(second.exit()).as(second.out()).isZero();
        assertThat(second.out()).doesNotContain("building").contains("Mail queue is empty");
        assertThat(Files.readAllLines(calls)).hasSize(1);

        // a source newer than the jar: built again
        Files.setLastModifiedTime(source, FileTime.from(now));
        Run third = run(tree, Map.of(), mailq.toArray(String[]::new));
        assertThat(third.exit()).as(third.out()).isZero();
        assertThat(third.out()).contains("tacit: building").contains("Mail queue is empty");
        assertThat(Files.readAllLines(calls)).hasSize(2);
    }
}
