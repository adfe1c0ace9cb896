package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The invariant of the enumeration defence: for every sequence tried here, an untrusted client gets
 * byte-identical replies (the probed name itself masked) whether the name is a user, an alias, or
 * nothing at all. The one deliberate verdict, a message whose every recipient is unknown being refused
 * after DATA, is not in these sequences: a message with a real companion recipient is.
 */
class EnumerationInvariantTest {

    @TempDir
    static Path dir;
    static TestServer goaway;
    static TestServer publicMode;

    static final String GUARD_OFF_FOR_SPEED = "[guard]\ntarpit_after = 100000\nrefuse_after = 100000\nblock_after = 100000\n";

    @BeforeAll
    static void start() throws Exception {
        goaway = TestServer.start(dir.resolve("goaway"), GUARD_OFF_FOR_SPEED);
        publicMode = TestServer.start(dir.resolve("public"), "privacy_options = \"public\"\n" + GUARD_OFF_FOR_SPEED);
    }

    @AfterAll
    static void stop() {
        goaway.close();
        publicMode.close();
    }

    static final String[] EXISTING = {"gw", "GW", "all", "postmaster", "abuse", "jqp"};
    static final String[] MISSING = {"nosuchuser", "xq7zz", "root", "admin", "George.Washington"};

    static final List<List<String>> SEQUENCES = List.of(
            List.of("EHLO prober.example.net", "VRFY NAME", "EXPN NAME", "VRFY <NAME@example.com>", "EXPN NAME@mail.example.com"),
            List.of("VRFY NAME", "EXPN NAME"),
            List.of("EHLO p", "MAIL FROM:<probe@example.org>", "RCPT TO:<NAME@example.com>", "RCPT TO:<NAME>",
                    "RCPT TO:<\"NAME\"@mail.example.com>", "RCPT TO:<NAME@localhost>", "RSET", "QUIT"),
            List.of("HELO p", "MAIL FROM:<NAME@example.com>", "RCPT TO:<NAME@example.com>", "VRFY NAME", "NOOP", "QUIT"),
            List.of("EHLO p", "MAIL FROM:<probe@example.org>", "RCPT TO:<tj@example.com>", "RCPT TO:<NAME@example.com>", "DATA",
                    "<BODY>", "QUIT"),
            List.of("EHLO p", "MAIL FROM:<probe@example.org>", "RCPT TO:<NAME@example.com> NOTIFY=NEVER", "RCPT TO:<NAME@example.com>",
                    "RCPT TO:<NAME@other.example.org>", "QUIT"));

    private static List<String> run(TestServer ts, List<String> seq, String name) throws Exception {
        List<String> transcript = new ArrayList<>();
        try (SmtpClient c = ts.greeted()) {
            for (String cmd : seq) {
                SmtpClient.Response r;
                if (cmd.equals("<BODY>")) {
                    r = c.data("Subject: probe\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    r = c.command(cmd.replace("NAME", name));
                }
                for (String line : r.raw()) {
                    // mask the probed name where the server echoes it, and the queue id
                    transcript.add(line.replaceAll("(?<![A-Za-z])" + java.util.regex.Pattern.quote(name) + "(?![A-Za-z])", "NAME").replaceAll("[0-9A-Za-x]{8}\\d{6}", "QID"));
                }
            }
        }
        return transcript;
    }

    @ParameterizedTest
    @ValueSource(strings = {"goaway", "public"})
    void existingAndMissingNamesGetByteIdenticalReplies(String mode) throws Exception {
        TestServer ts = mode.equals("goaway") ? goaway : publicMode;
        for (List<String> seq : SEQUENCES) {
            List<String> reference = run(ts, seq, MISSING[0]);
            for (String name : EXISTING) {
                assertThat(run(ts, seq, name)).as("%s, existing %s, sequence %s", mode, name, seq).isEqualTo(reference);
            }
            for (String name : MISSING) {
                assertThat(run(ts, seq, name)).as("%s, missing %s, sequence %s", mode, name, seq).isEqualTo(reference);
            }
        }
    }
}
