package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.directory.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** tacit passwd: a hash the directory accepts, the password never on the command line. */
class PasswdCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void printsAnArgon2idHashOfTheFirstLineOfStdin() {
        Run r = run("pässwörd with spaces\r\nsecond line ignored\n", "passwd", "--stdin");
        assertThat(r.code()).isZero();
        String hash = r.out().strip();
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("pässwörd");
        assertThat(PasswordHash.supported(hash)).isTrue();
        assertThat(PasswordHash.verify(hash, "pässwörd with spaces".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(PasswordHash.verify(hash, "pässwörd with spaces\r".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void refusesWhatCannotBeAPassword() {
        Run empty = run("\n", "passwd", "--stdin");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).isEqualTo("tacit: passwd: the password is empty" + System.lineSeparator());
        Run huge = run("x".repeat(5000) + "\n", "passwd", "--stdin");
        assertThat(huge.code()).isEqualTo(2);
        assertThat(huge.err()).contains("longer than 1024 bytes");
        // no terminal under the test runner, and no --stdin: a clear message, not a prompt
        Run noTty = run("", "passwd");
        assertThat(noTty.code()).isEqualTo(2);
        assertThat(noTty.err()).contains("no terminal to read the password from; use --stdin");
        assertThat(run("", "passwd", "hunter2").code()).as("no password argument").isEqualTo(2);
    }
}
