package dev.tacit.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every log line appears from the LogLevel at which sendmail starts writing it, and not one level
 * below (sendmail-privacy.md 12).
 */
class MailLogLevelsTest {

    @TempDir
    Path dir;

    /** Runs one scripted session at a LogLevel and returns the log file's lines. */
    private List<String> session(int level, String privacy, String... commands) throws Exception {
        Path d = Files.createTempDirectory(dir, "l" + level);
        try (TestServer ts = TestServer.start(d, "log_level = " + level + "\nprivacy_options = \"" + privacy + "\"\n"
                + "[log]\nstdout = false\nfile = \"mail.log\"\n")) {
            try (SmtpClient c = ts.greeted()) {
                for (String cmd : commands) {
                    c.command(cmd);
                }
            }
            Thread.sleep(150);
        }
        return Files.readAllLines(d.resolve("mail.log"));
    }

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("probe command", 0, "public", new String[] {"DEBUG 0-99.100"},
                        (Predicate<String>) l -> l.endsWith(": \"debug\" command from localhost [127.0.0.1] (127.0.0.1)")),
                Arguments.of("showq probe", 0, "public", new String[] {"showq"},
                        (Predicate<String>) l -> l.endsWith(": \"showq\" command from localhost [127.0.0.1] (127.0.0.1)")),
                Arguments.of("wiz probe", 0, "public", new String[] {"WIZ"},
                        (Predicate<String>) l -> l.endsWith(": \"wiz\" command from localhost [127.0.0.1] (127.0.0.1)")),
                Arguments.of("kill probe", 0, "public", new String[] {"KILL"},
                        (Predicate<String>) l -> l.endsWith(": \"kill\" command from localhost [127.0.0.1] (127.0.0.1)")),
                Arguments.of("vrfy", 5, "public", new String[] {"HELO x", "vrfy all"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: vrfy all")),
                Arguments.of("expn", 5, "public", new String[] {"HELO x", "EXPN all"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: EXPN all")),
                Arguments.of("novrfy", 5, "novrfy", new String[] {"VRFY gw"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: VRFY gw [rejected]")),
                Arguments.of("noexpn", 5, "noexpn", new String[] {"EXPN all"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: EXPN all [rejected]")),
                Arguments.of("noetrn", 5, "noetrn", new String[] {"ETRN x"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: ETRN x [rejected]")),
                Arguments.of("etrn", 5, "public", new String[] {"ETRN x.example"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: ETRN x.example")),
                Arguments.of("attack", 5, "goaway", new String[] {"VRFY a", "VRFY b", "VRFY c", "VRFY d", "VRFY e", "VRFY f"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: possible SMTP attack: command=VRFY, count=6")),
                Arguments.of("unknown user", 3, "public", new String[] {"HELO x", "MAIL FROM:<a@b.c>", "RCPT TO:<nosuch@example.com>"},
                        (Predicate<String>) l -> l.endsWith(": <nosuch@example.com>... User unknown")),
                Arguments.of("authwarnings", 3, "authwarnings", new String[] {"MAIL FROM:<a@b.c>"},
                        (Predicate<String>) l -> l.endsWith(": Authentication-Warning: mail: localhost [127.0.0.1] didn't use HELO protocol")),
                Arguments.of("summary", 4, "public", new String[] {"HELO x", "MAIL FROM:<a@b.c>", "RSET"},
                        (Predicate<String>) l -> l.endsWith(": from=<a@b.c>, size=0, class=0, nrcpts=0, proto=SMTP, daemon=MTA, relay=localhost [127.0.0.1]")),
                Arguments.of("did not issue", 5, "public", new String[] {"HELO x", "QUIT"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA")),
                Arguments.of("invalid helo", 9, "public", new String[] {"HELO bad!name"},
                        (Predicate<String>) l -> l.endsWith(": invalid domain name (bad!name) from localhost [127.0.0.1]")),
                Arguments.of("command trace", 14, "public", new String[] {"NOOP"},
                        (Predicate<String>) l -> l.endsWith(": <-- NOOP")),
                Arguments.of("reply trace", 14, "public", new String[] {"NOOP"},
                        (Predicate<String>) l -> l.endsWith(": --- 250 2.0.0 OK")));
    }

    @ParameterizedTest(name = "{0} from LogLevel {1}+1")
    @MethodSource("lines")
    void eachLineStartsAtSendmailsThreshold(String name, int threshold, String privacy, String[] commands, Predicate<String> line)
            throws Exception {
        assertThat(session(threshold, privacy, commands)).noneMatch(line);
        assertThat(session(threshold + 1, privacy, commands)).anyMatch(line);
    }

    @Test
    void linesUseTheSyslogLayoutAndEscapeControlCharacters() throws Exception {
        List<String> log = session(15, "public", "HELO x", "vrfy a\tb");
        assertThat(log).anyMatch(l -> l.matches("[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d mail tacit\\[\\d+\\]: [0-9A-Za-x]{8}\\d{6}: localhost \\[127\\.0\\.0\\.1\\]: vrfy a\\\\tb"));
    }
}
