package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.directory.Backends;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The invariant of the enumeration defence: for every sequence tried here, an untrusted client gets
 * byte-identical replies (the probed name itself masked) whether the name is a user, an alias, or
 * nothing at all. The one deliberate verdict, a message whose every recipient is unknown being refused
 * after DATA, is not in these sequences: a message with a real companion recipient is. The suite runs
 * against every directory backend (files, PostgreSQL, LDAP), each holding the same users and aliases.
 */
class EnumerationInvariantTest {

    @TempDir
    static Path dir;
    static final Map<String, Backends.Started> SERVERS = new LinkedHashMap<>();

    static final String GUARD_OFF_FOR_SPEED = "[guard]\ntarpit_after = 100000\nrefuse_after = 100000\nblock_after = 100000\n";

    static Stream<Arguments> backendsAndModes() {
        return Backends.ALL.stream().flatMap(b -> Stream.of(Arguments.of(b, "goaway"), Arguments.of(b, "public")));
    }

    private static TestServer server(String backend, String mode) throws Exception {
        String key = backend + "-" + mode;
        Backends.Started s = SERVERS.get(key);
        if (s == null) {
            s = Backends.start(backend, dir.resolve(key), (mode.equals("public") ? "privacy_options = \"public\"\n" : "") + GUARD_OFF_FOR_SPEED);
            SERVERS.put(key, s);
        }
        return s.server();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Backends.Started s : SERVERS.values()) {
            s.close();
        }
        SERVERS.clear();
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

    /** The one place the verdict shows: a message for an unknown name alone is refused after DATA. */
    private static String onlyRecipient(TestServer ts, String name) throws Exception {
        try (SmtpClient c = ts.greeted()) {
            c.command("EHLO p");
            c.command("MAIL FROM:<probe@example.org>");
            c.command("RCPT TO:<" + name + "@example.com>");
            c.command("DATA");
            return c.data("Subject: probe\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)).raw().get(0);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndModes")
    void existingAndMissingNamesGetByteIdenticalReplies(String backend, String mode) throws Exception {
        TestServer ts = server(backend, mode);
        // the backend really knows the users (else identical replies would prove nothing)
        assertThat(onlyRecipient(ts, "gw")).as(backend).startsWith("250 2.0.0 ");
        assertThat(onlyRecipient(ts, "all")).as(backend).startsWith("250 2.0.0 ");
        assertThat(onlyRecipient(ts, MISSING[0])).as(backend).startsWith("550 5.1.1 ");
        for (List<String> seq : SEQUENCES) {
            List<String> reference = run(ts, seq, MISSING[0]);
            for (String name : EXISTING) {
                assertThat(run(ts, seq, name)).as("%s %s, existing %s, sequence %s", backend, mode, name, seq).isEqualTo(reference);
            }
            for (String name : MISSING) {
                assertThat(run(ts, seq, name)).as("%s %s, missing %s, sequence %s", backend, mode, name, seq).isEqualTo(reference);
            }
        }
    }
}
