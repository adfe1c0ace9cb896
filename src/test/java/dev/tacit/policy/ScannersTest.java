package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real scanners against the demo's defaults: nmap's smtp-enum-users (Debian's nmap) and a
 * reconnect-per-query loop in the style of smtp-user-enum. With the defaults they learn nothing: their
 * verdict on each real user is the same as on names that do not exist (both answered alike, so a
 * scanner lists everything or nothing). With privacy_options = "public" and enumeration_defense = false
 * the same scanners name exactly the real users, so the test can fail.
 */
class ScannersTest {

    @TempDir
    Path dir;

    static final List<String> REAL = List.of("gw", "tj", "bf", "br", "jqp");
    // nine names in all: below the guard's tarpit threshold (10), so the run shows the answers, not the tarpit
    static final List<String> FAKE = List.of("alice", "bob", "carol", "dave");
    static final String LEAKING = "privacy_options = \"public\"\nenumeration_defense = false\n";

    /**
     * Real names first: nmap's script gives up on a method at the first answer it does not expect (a
     * 550 before any success breaks its RCPT method), so this order lets it find everything a leaking
     * server gives away.
     */
    static List<String> words() {
        List<String> w = new ArrayList<>(REAL);
        w.addAll(FAKE);
        return w;
    }

    /** Names nmap's smtp-enum-users reports as valid. */
    static Set<String> nmap(int port, Path work) throws Exception {
        Path nmap = External.require("nmap");
        Path words = work.resolve("words.txt");
        Files.write(words, words());
        Path dd = Files.createDirectories(work.resolve("nmap-data"));
        Files.writeString(dd.resolve("nmap-services"), "smtp\t" + port + "/tcp\t0.1\n"); // so nmap runs the script on our port
        Process p = new ProcessBuilder(nmap.toString(), "--datadir", dd.toString(), "-Pn", "-n", "-p", String.valueOf(port), "127.0.0.1",
                "--script", "smtp-enum-users", "--script-args", "userdb=" + words + ",unpwdb.timelimit=0,smtp.domain=example.com,"
                        + "smtp-enum-users.domain=example.com").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("smtp-enum-users");
        Set<String> found = new LinkedHashSet<>();
        for (String line : out.split("\n")) {
            String t = line.replaceFirst("^\\|[_ ]\\s*", "").replace("RCPT, ", "").replace("VRFY, ", "").replace("EXPN, ", "").strip();
            if (words().contains(t)) {
                found.add(t);
            }
        }
        return found;
    }

    /** smtp-user-enum's method: a new connection per name; VRFY: 250/252 = exists; RCPT: 250 = exists. */
    static Set<String> reconnectLoop(int port, String method) throws Exception {
        Set<String> found = new LinkedHashSet<>();
        for (String w : words()) {
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(30))) {
                c.read();
                c.command("HELO x");
                int code;
                if (method.equals("VRFY")) {
                    code = c.command("VRFY " + w).code();
                    if (code == 250 || code == 252) {
                        found.add(w);
                    }
                } else {
                    c.command("MAIL FROM:<user@example.org>");
                    code = c.command("RCPT TO:<" + w + "@example.com>").code();
                    if (code == 250) {
                        found.add(w);
                    }
                }
                c.command("QUIT");
            }
        }
        return found;
    }

    /** True when the scanner's verdict on every real user equals its verdict on every made-up name. */
    static boolean learnedNothing(Set<String> found) {
        Set<String> verdicts = new LinkedHashSet<>();
        for (String w : words()) {
            verdicts.add(found.contains(w) ? "valid" : "invalid");
        }
        return verdicts.size() == 1;
    }

    private Set<String> run(String toml, String tool) throws Exception {
        Path d = Files.createTempDirectory(dir, tool);
        try (TestServer ts = TestServer.start(d, toml)) {
            return switch (tool) {
                case "nmap" -> nmap(ts.port(), d);
                case "loop-vrfy" -> reconnectLoop(ts.port(), "VRFY");
                default -> reconnectLoop(ts.port(), "RCPT");
            };
        }
    }

    @Test
    void nmapLearnsNothingFromTheDefaultsAndEverythingFromALeakingServer() throws Exception {
        Set<String> defaults = run("", "nmap");
        assertThat(learnedNothing(defaults)).as("nmap against the defaults reported %s", defaults).isTrue();
        assertThat(run(LEAKING, "nmap")).containsExactlyInAnyOrderElementsOf(REAL);
    }

    @Test
    void aReconnectPerQueryLoopLearnsNothingFromTheDefaults() throws Exception {
        for (String tool : new String[] {"loop-vrfy", "loop-rcpt"}) {
            Set<String> defaults = run("", tool);
            assertThat(learnedNothing(defaults)).as("%s against the defaults reported %s", tool, defaults).isTrue();
            assertThat(run(LEAKING, tool)).as(tool + " against a leaking server").containsExactlyInAnyOrderElementsOf(REAL);
        }
    }
}
