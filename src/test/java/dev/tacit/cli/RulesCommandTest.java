package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tacit rules test}: the command line around the address tester. */
class RulesCommandTest {

    record Run(int code, String out, String err) {}

    private static Run run(String stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.ISO_8859_1)));
            int code = Main.run(args);
            // keep Tacit's own lines: a Jazzer agent loaded by the fuzz tests in this JVM logs here too
            String errText = err.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("INFO: Instrumented"))
                    .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
            return new Run(code, out.toString(StandardCharsets.UTF_8), errText);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    private static Path selective(Path dir) throws Exception {
        Path f = dir.resolve("selective.rules");
        Files.writeString(f, "Scheck_vrfy\n"
                + "R$*\t$: $>canonify $1\n"
                + "R$* <@ $=w . > $*\t$: $1\n"
                + "Rpostmaster\t$# error $@ 2.5.1 $: \"251 <postmaster@$j>\"\n"
                + "R$*\t$# error $@ 2.5.2 $: \"252 VRFY forbidden\"\n");
        return f;
    }

    @Test
    void linesGivenOnTheCommandLine(@TempDir Path dir) throws Exception {
        Run r = run(null, "rules", "test", "--rules", selective(dir).toString(), "--hostname", "mail.example.com",
                "--local-domain", "example.com", "check_vrfy postmaster@example.com", "$j");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("""
                check_vrfy         input: postmaster @ example . com
                canonify           input: postmaster @ example . com
                canonify         returns: postmaster < @ example . com . >
                check_vrfy       returns: $# error $@ 2 . 5 . 1 $: "251 <postmaster@mail.example.com>"
                mail.example.com
                """);
    }

    @Test
    void stdinSessionLooksLikeSendmailBt(@TempDir Path dir) throws Exception {
        Run r = run("# comment\n3 gw@localhost\n$=w\n", "rules", "test", "--rules", selective(dir).toString(),
                "--hostname", "mail.example.com");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("""
                ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)
                Enter <ruleset> <address>
                > > canonify           input: gw @ localhost
                canonify         returns: gw < @ mail . example . com . >
                > [127.0.0.1]
                localhost
                mail
                mail.example.com
                >\s""");
    }

    @Test
    void aBadRulesFileIsRefusedWithFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.rules");
        Files.writeString(f, "Scheck_vrfy\nR$* no tab\nR$1\t$@ x\n");
        Run r = run(null, "rules", "test", "--rules", f.toString(), "check_vrfy x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("tacit: " + f + ":2: invalid rewrite line \"R$* no tab\" (tab expected)\n"
                + "tacit: " + f + ":3: Inappropriate use of $1-$9 on LHS\n");
    }

    @Test
    void aMissingFileIsOneLine(@TempDir Path dir) {
        Run r = run(null, "rules", "test", "--rules", dir.resolve("nope.rules").toString(), "3 x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("tacit: " + dir.resolve("nope.rules") + ":0: cannot read").doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void sendmailCfImportReportsWhatItSkips(@TempDir Path dir) throws Exception {
        Path cf = dir.resolve("sendmail.cf");
        Files.writeString(cf, "O PrivacyOptions=goaway\nO LogLevel=9\nO QueueDirectory=/var/spool/mqueue\n"
                + "Scheck_expn\nR$*\t$# error $@ 5.7.1 $: \"550 EXPN forbidden\"\n");
        Run r = run(null, "rules", "test", "--cf", "--rules", cf.toString(), "--hostname", "mail.example.com",
                "check_expn all");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("tacit: " + cf + ":3: ignored: option QueueDirectory")
                .contains("PrivacyOptions=goaway").contains("LogLevel=9");
        assertThat(r.out()).endsWith("check_expn       returns: $# error $@ 5 . 7 . 1 $: \"550 EXPN forbidden\"\n");
    }
}
