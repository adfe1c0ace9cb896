package dev.tacit.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The shaded jar run as a separate process, for tests that kill it or need a real CLI. */
public final class TacitProcess implements AutoCloseable {

    private final Process process;

    private TacitProcess(Process process) {
        this.process = process;
    }

    public static Path jar() {
        String p = System.getProperty("tacit.jar");
        Path jar = p != null ? Path.of(p) : External.projectDir().resolve("target/tacit.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run `./mvnw verify` (integration tests run after package)");
        }
        return jar;
    }

    /**
     * The test site in {@code dir}: TestServer's users and aliases files and a tacit.toml listening on
     * 127.0.0.1:{@code port} for mail.example.com, with {@code extraToml} after the common keys
     * (top-level keys first, then tables). Returns the config file.
     */
    public static Path writeSite(Path dir, int port, String extraToml) throws IOException {
        Files.writeString(dir.resolve("users"), TestServer.USERS);
        Files.writeString(dir.resolve("aliases"), TestServer.ALIASES);
        Path config = dir.resolve("tacit.toml");
        Files.writeString(config, """
                listen = ["127.0.0.1:%d"]
                hostname = "mail.example.com"
                local_domains = ["example.com"]
                data_dir = "."
                """.formatted(port) + extraToml);
        return config;
    }

    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    public static TacitProcess start(Path log, String... args) throws IOException {
        return start(log, List.of(), 0, args);
    }

    /**
     * Starts with extra JVM options (e.g. {@code -Xmx48m}) and, when {@code fdLimit > 0}, under
     * {@code ulimit -n fdLimit} (soft and hard, so the JVM cannot raise it again).
     */
    public static TacitProcess start(Path log, List<String> jvmOptions, int fdLimit, String... args) throws IOException {
        return start(null, java.util.Map.of(), log, jvmOptions, fdLimit, args);
    }

    /** Started in a working directory (null: this one) with extra environment variables, e.g. HOME. */
    public static TacitProcess startIn(Path workDir, java.util.Map<String, String> env, Path log, String... args) throws IOException {
        return start(workDir, env, log, List.of(), 0, args);
    }

    private static TacitProcess start(Path workDir, java.util.Map<String, String> env, Path log, List<String> jvmOptions, int fdLimit,
            String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (fdLimit > 0) {
            cmd.addAll(List.of("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$@\"", "bash"));
        }
        cmd.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().putAll(env);
        return new TacitProcess(pb.start());
    }

    public long pid() {
        return process.pid();
    }

    /** Open file descriptors of the process, from /proc (Linux). */
    public int openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid()), "fd"))) {
            return (int) s.count();
        }
    }

    /** A field of /proc/PID/status in kB (VmRSS, VmHWM, ...); -1 when absent. */
    public long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        return -1;
    }

    /** Runs a CLI command to completion and returns exit code and output. */
    public static Result run(Path workDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tacit " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }

    public record Result(int exit, String output) {}

    public Process process() {
        return process;
    }

    /** Waits until the port accepts connections (or the process dies). */
    public void awaitPort(int port, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (!process.isAlive()) {
                throw new AssertionError("tacit exited with " + process.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("port " + port + " not open after " + timeoutMs + " ms");
    }

    /** SIGKILL: no shutdown hook, no flush; what a crash or power loss looks like to the spool. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: the orderly shutdown. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
