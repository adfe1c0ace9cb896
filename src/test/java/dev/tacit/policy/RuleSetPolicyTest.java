package dev.tacit.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.config.ConfigException;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two check_vrfy examples of shared/seeds/003 (verbatim, from a rules file) in a running server,
 * with sendmail's replies and log lines, and fail-closed where sendmail's tokenizer fails open.
 */
class RuleSetPolicyTest {

    @TempDir
    Path dir;

    static final String FORBID = """
            Scheck_vrfy
            R$*	$# error $@ 2.5.2 $: "252 VRFY forbidden"
            """;

    static final String SELECTIVE = """
            Scheck_vrfy
            R$*	$: $>canonify $1	focus on the host
            R$* <@ $=w . > $*	$: $1	isolate the user
            Rpostmaster	$# error $@ 2.5.1 $: "251 <postmaster@$j>"
            Rabuse	$# error $@ 2.5.1 $: "251 <abuse@$j>"
            R$*	$# error $@ 2.5.2 $: "252 VRFY forbidden"

            Scheck_expn
            R$*	$: $>canonify $1
            R$* <@ $=w . > $*	$: $1
            Rpostmaster	$# error $@ 2.5.1 $: "251 <postmaster@$j>"
            Rabuse	$# error $@ 2.5.1 $: "251 <abuse@$j>"
            R$*	$# error $@ 5.7.1 $: "550 EXPN forbidden"
            """;

    private TestServer start(String rules, String extra) throws Exception {
        Files.writeString(dir.resolve("check.rules"), rules);
        // the rule sets are only consulted when privacy_options leaves VRFY/EXPN on, as in sendmail
        return TestServer.start(dir, "privacy_options = \"authwarnings\"\nenumeration_defense = false\nrules_file = \"check.rules\"\n"
                + "log_level = 9\n" + extra + "[log]\nstdout = false\nfile = \"mail.log\"\n[guard]\nenabled = false\n");
    }

    @Test
    void blanketRefusal() throws Exception {
        try (TestServer ts = start(FORBID, ""); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            assertThat(c.command("VRFY gw").raw()).containsExactly("252 2.5.2 VRFY forbidden");
            assertThat(c.command("VRFY nosuchuser").raw()).containsExactly("252 2.5.2 VRFY forbidden");
            assertThat(c.command("EXPN all").raw()).hasSize(5); // no check_expn: EXPN is answered (public)
        }
        assertThat(Files.readAllLines(dir.resolve("mail.log")))
                .anyMatch(l -> l.endsWith(" tacit[" + ProcessHandle.current().pid() + "]: ruleset=check_vrfy, arg1=gw, relay=localhost [127.0.0.1], reject=252 2.5.2 VRFY forbidden"))
                .anyMatch(l -> l.endsWith(": localhost [127.0.0.1]: VRFY gw"));
    }

    @Test
    void selectiveAnswersOnlyForPostmasterAndAbuse() throws Exception {
        try (TestServer ts = start(SELECTIVE, ""); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            assertThat(c.command("VRFY postmaster").raw()).containsExactly("251 2.5.1 <postmaster@mail.example.com>");
            assertThat(c.command("VRFY abuse@mail.example.com").raw()).containsExactly("251 2.5.1 <abuse@mail.example.com>");
            assertThat(c.command("VRFY <postmaster@MAIL.EXAMPLE.COM>").raw()).containsExactly("251 2.5.1 <postmaster@mail.example.com>");
            assertThat(c.command("VRFY gw").raw()).containsExactly("252 2.5.2 VRFY forbidden");
            assertThat(c.command("EXPN all").raw()).containsExactly("550 5.7.1 EXPN forbidden");
            assertThat(c.command("EXPN abuse").raw()).containsExactly("251 2.5.1 <abuse@mail.example.com>");
        }
    }

    @Test
    void aListTooLongForTheTokenizerIsRefusedNotLeaked() throws Exception {
        // sendmail 8.17 skips the rule set when the argument cannot be tokenized and answers from the
        // directory (sendmail-privacy.md 7.3): 261 copies of a name leak the real answer. Tacit refuses.
        String list = String.join(", ", Collections.nCopies(261, "gw"));
        try (TestServer ts = start(SELECTIVE, ""); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            assertThat(c.command("VRFY " + list).raw()).containsExactly("252 2.5.2 VRFY forbidden");
            assertThat(c.command("EXPN " + String.join(", ", Collections.nCopies(300, "all"))).raw())
                    .containsExactly("550 5.7.1 EXPN forbidden");
            assertThat(c.command("VRFY postmaster, gw").raw()).containsExactly("252 2.5.2 VRFY forbidden");
        }
    }

    /** A rule set that decides some names itself and leaves others (real or not) to the directory. */
    static final String LETS_SOME_THROUGH = """
            Scheck_vrfy
            R$*	$: $>canonify $1
            R$* <@ $=w . > $*	$: $1
            Rpostmaster	$@ OK
            Rnosuchuser	$@ OK
            R$*	$# error $@ 2.5.2 $: "252 VRFY forbidden"

            Scheck_expn
            R$*	$: $>canonify $1
            R$* <@ $=w . > $*	$: $1
            Rall	$@ OK
            Rnosuchlist	$@ OK
            R$*	$# error $@ 5.7.1 $: "550 EXPN forbidden"
            """;

    @Test
    void underTheDefenceWhatTheRuleSetLeavesToTheDirectoryIsUniform() throws Exception {
        Files.writeString(dir.resolve("check.rules"), LETS_SOME_THROUGH);
        // enumeration_defense is on (the default); privacy_options leaves VRFY and EXPN to the rule sets
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"authwarnings\"\nrules_file = \"check.rules\"\n[guard]\nenabled = false\n");
                SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            // the rule set's own answers stand, as the admin wrote them
            assertThat(c.command("VRFY gw").raw()).containsExactly("252 2.5.2 VRFY forbidden");
            assertThat(c.command("EXPN abuse").raw()).containsExactly("550 5.7.1 EXPN forbidden");
            // what it leaves to the directory gets one answer for a real name and a missing one: 252 / 502, never 250/550
            List<String> real = c.command("VRFY postmaster").raw();
            assertThat(real).hasSize(1).allMatch(l -> l.startsWith("252 "));
            assertThat(c.command("VRFY nosuchuser").raw()).isEqualTo(real);
            List<String> list = c.command("EXPN all").raw();
            assertThat(list).hasSize(1).allMatch(l -> l.startsWith("502 "));
            assertThat(c.command("EXPN nosuchlist").raw()).isEqualTo(list);
        }
    }

    @Test
    void novrfyComesBeforeTheRuleSet() throws Exception {
        Files.writeString(dir.resolve("check.rules"), FORBID);
        try (TestServer ts = TestServer.start(dir, "privacy_options = \"goaway\"\nrules_file = \"check.rules\"\n");
                SmtpClient c = ts.greeted()) {
            assertThat(c.command("VRFY gw").raw()).containsExactly("252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)");
        }
    }

    @Test
    void aBadRulesFileIsRefusedAtLoadWithFileAndLine() throws Exception {
        Files.writeString(dir.resolve("bad.rules"), "Scheck_vrfy\nR$* no tab here\n");
        assertThatThrownBy(() -> TestServer.config(dir, "rules_file = \"bad.rules\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir.resolve("bad.rules") + ":2: ");
    }
}
