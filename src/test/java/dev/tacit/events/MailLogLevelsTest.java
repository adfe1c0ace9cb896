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

    /**
     * A session with its own settings; {@code "#wait"} reads until the server closes (a timeout), and the
     * client always leaves without QUIT, as a prober that drops the connection does.
     */
    private List<String> configured(int level, String toml, String rules, String... commands) throws Exception {
        Path d = Files.createTempDirectory(dir, "m" + level);
        if (rules != null) {
            Files.writeString(d.resolve("check.rules"), rules);
            toml = "rules_file = \"check.rules\"\n" + toml;
        }
        try (TestServer ts = TestServer.start(d, "log_level = " + level + "\nenumeration_defense = false\n" + toml
                + "\n[log]\nstdout = false\nfile = \"mail.log\"\n")) {
            try (SmtpClient c = ts.greeted()) {
                for (String cmd : commands) {
                    if (cmd.equals("#wait")) {
                        for (int i = 0; i < 5 && c.read() != null; i++) {
                            // the 421, then the end of the stream
                        }
                    } else {
                        c.command(cmd);
                    }
                }
            }
            Thread.sleep(150);
        }
        return Files.readAllLines(d.resolve("mail.log"));
    }

    static final String FORBID = "Scheck_vrfy\nR$*\t$# error $@ 2.5.2 $: \"252 VRFY forbidden\"\n";

    /** The rest of sendmail-privacy.md 12's table: lines that need settings of their own. */
    static Stream<Arguments> moreLines() {
        String pub = "privacy_options = \"public\"\n";
        return Stream.of(
                Arguments.of("check_vrfy reject", 3, pub, FORBID, new String[] {"HELO x", "VRFY gw"},
                        (Predicate<String>) l -> l.endsWith(" ruleset=check_vrfy, arg1=gw, relay=localhost [127.0.0.1], reject=252 2.5.2 VRFY forbidden")),
                Arguments.of("too many recipients", 3, pub + "[limits]\nmax_recipients = 1\n", null,
                        new String[] {"HELO x", "MAIL FROM:<a@b.c>", "RCPT TO:<gw@example.com>", "RCPT TO:<tj@example.com>"},
                        (Predicate<String>) l -> l.endsWith(": Too many recipients")),
                Arguments.of("rcpt flood", 5, pub + "[guard]\nbad_rcpt_throttle = 2\nbad_rcpt_delay = \"0s\"\n", null,
                        new String[] {"HELO x", "MAIL FROM:<a@b.c>", "RCPT TO:<x1@example.com>", "RCPT TO:<x2@example.com>",
                            "RCPT TO:<x3@example.com>"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: Possible SMTP RCPT flood, throttling.")),
                Arguments.of("lost input after MAIL", 1, pub, null, new String[] {"HELO x", "MAIL FROM:<a@b.c>"},
                        (Predicate<String>) l -> l.endsWith(": lost input channel from localhost [127.0.0.1] to MTA after mail")),
                Arguments.of("lost input without MAIL", 19, pub, null, new String[] {"HELO x"},
                        (Predicate<String>) l -> l.endsWith(": lost input channel from localhost [127.0.0.1] to MTA")),
                Arguments.of("timeout", 1, pub + "[limits]\ncommand_timeout = \"1s\"\n", null, new String[] {"HELO x", "#wait"},
                        (Predicate<String>) l -> l.endsWith(": timeout waiting for input from localhost [127.0.0.1] during server cmd read")),
                // sendmail's other anti-abuse counters (spec 9): the line comes when the count reaches the limit
                Arguments.of("helo attack", 5, pub, null, new String[] {"HELO a", "EHLO b", "HELO c"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: possible SMTP attack: command=HELO/EHLO, count=3")),
                Arguments.of("noop attack", 5, pub + "[limits]\nmax_noop_commands = 2\n", null, new String[] {"NOOP", "VERB"},
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: possible SMTP attack: command=VERB, count=2")),
                Arguments.of("etrn attack", 5, pub, null, java.util.Collections.nCopies(8, "ETRN x.example").toArray(String[]::new),
                        (Predicate<String>) l -> l.endsWith(": localhost [127.0.0.1]: possible SMTP attack: command=ETRN, count=8")),
                Arguments.of("helo too long", 9, pub, null, new String[] {"HELO " + "a".repeat(300)},
                        (Predicate<String>) l -> l.endsWith(": invalid domain name (too long) from localhost [127.0.0.1]")));
    }

    @ParameterizedTest(name = "{0} from LogLevel {1}+1")
    @MethodSource("moreLines")
    void moreLinesStartAtSendmailsThreshold(String name, int threshold, String toml, String rules, String[] commands,
            Predicate<String> line) throws Exception {
        assertThat(configured(threshold, toml, rules, commands)).noneMatch(line);
        assertThat(configured(threshold + 1, toml, rules, commands)).anyMatch(line);
    }

    /** Lines sendmail writes whatever the LogLevel: an overlong command line and an HTTP request. */
    @Test
    void attackLinesAreLoggedAtLogLevelZero() throws Exception {
        assertThat(configured(0, "", null, "NOOP " + "x".repeat(2100)))
                .anyMatch(l -> l.matches(".*: localhost \\[127\\.0\\.0\\.1\\]: SMTP violation, input too long: \\d{4}"));
        assertThat(configured(0, "", null, "GET / HTTP/1.0"))
                .anyMatch(l -> l.endsWith(": localhost [127.0.0.1]: probable open proxy: command=GET / HTTP/1.0"));
    }

    /** A client without a reverse name is shown as sendmail shows it: {@code [ip]} (the spec's "[ip]: expn all"). */
    @Test
    void anUnnamedClientIsItsBracketedAddress() throws Exception {
        Path d = Files.createTempDirectory(dir, "unnamed");
        try (TestServer ts = TestServer.start(d, "log_level = 9\nprivacy_options = \"public\"\nenumeration_defense = false\n"
                + "[log]\nstdout = false\nfile = \"mail.log\"\n");
                SmtpClient c = SmtpClient.connect("127.0.0.1", ts.port(), java.time.Duration.ofSeconds(10), "127.0.0.2")) {
            c.read();
            String hello = c.command("HELO x").raw().get(0);
            org.junit.jupiter.api.Assumptions.assumeTrue(hello.equals("250 mail.example.com Hello [127.0.0.2], pleased to meet you"),
                    "this machine has a name for 127.0.0.2: " + hello);
            c.command("EXPN all");
            c.command("vrfy gw");
            c.command("DEBUG");
            c.command("QUIT");
        }
        Thread.sleep(150);
        List<String> log = Files.readAllLines(d.resolve("mail.log"));
        assertThat(log).anyMatch(l -> l.endsWith(": [127.0.0.2]: EXPN all")).anyMatch(l -> l.endsWith(": [127.0.0.2]: vrfy gw"))
                .anyMatch(l -> l.endsWith(": \"debug\" command from [127.0.0.2] (127.0.0.2)"));
    }

    @Test
    void linesUseTheSyslogLayoutAndEscapeControlCharacters() throws Exception {
        List<String> log = session(15, "public", "HELO x", "vrfy a\tb");
        assertThat(log).anyMatch(l -> l.matches("[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d mail tacit\\[\\d+\\]: [0-9A-Za-x]{8}\\d{6}: localhost \\[127\\.0\\.0\\.1\\]: vrfy a\\\\tb"));
    }
}
