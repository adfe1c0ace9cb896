package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.config.TacitConfig;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.server.MailServer;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tacit serve --sendmail-cf FILE`: a site's sendmail.cf privacy settings and rule sets, moved unchanged. */
class SendmailCfImportTest {

    @TempDir
    Path dir;

    static final String CF = """
            # a fragment of a real sendmail.cf
            V10/Berkeley
            Cwlocalhost
            Dj$w.example.com
            O PrivacyOptions=authwarnings,needvrfyhelo
            O LogLevel=12
            O QueueDirectory=/var/spool/mqueue
            Mlocal,		P=/usr/lib/sm.bin/mail.local, F=lsDFMAw5:/|@qPSXfmnz9, S=EnvFromSMTP/HdrFromL, R=EnvToL/HdrToL,
            		T=DNS/RFC822/X-Unix,
            		A=mail.local -l
            Scheck_vrfy
            R$*	$: $>canonify $1
            R$* <@ $=w . > $*	$: $1
            Rpostmaster	$# error $@ 2.5.1 $: "251 <postmaster@$j>"
            R$*	$# error $@ 2.5.2 $: "252 VRFY forbidden"
            """;

    @Test
    void privacyLogLevelAndRuleSetsComeFromTheCfAndTheRestIsNamed() throws Exception {
        Files.writeString(dir.resolve("sendmail.cf"), CF);
        TacitConfig base = TestServer.config(dir, "");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        TacitConfig cfg;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            cfg = ServeCommand.importSendmailCf(base, dir.resolve("sendmail.cf"));
        } finally {
            System.setErr(old);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(cfg.privacy().has(PrivacyOptions.Flag.NEEDVRFYHELO)).isTrue();
        assertThat(cfg.privacy().has(PrivacyOptions.Flag.NOVRFY)).isFalse();
        assertThat(cfg.logLevel()).isEqualTo(12);
        assertThat(out).contains(dir.resolve("sendmail.cf") + ":7: ignored: option QueueDirectory").contains(":10: ignored: mailer local")
                .contains("PrivacyOptions=authwarnings,needvrfyhelo, LogLevel=12, rule sets: check_vrfy");
        Files.writeString(dir.resolve("users"), TestServer.USERS);
        Files.writeString(dir.resolve("aliases"), TestServer.ALIASES);
        try (MailServer s = MailServer.start(cfg);
                SmtpClient c = SmtpClient.connect("127.0.0.1", s.port(), Duration.ofSeconds(10))) {
            c.read();
            assertThat(c.command("VRFY gw").raw()).containsExactly("503 5.0.0 I demand that you introduce yourself first");
            c.command("HELO client.example.net");
            assertThat(c.command("VRFY postmaster").raw()).containsExactly("251 2.5.1 <postmaster@mail.example.com>");
            assertThat(c.command("VRFY gw").raw()).containsExactly("252 2.5.2 VRFY forbidden");
        }
    }

    @Test
    void anUnknownPrivacyWordStopsWithTheFileName() throws Exception {
        Files.writeString(dir.resolve("bad.cf"), "O PrivacyOptions=goaway,noreflection\n");
        TacitConfig base = TestServer.config(dir, "");
        assertThatThrownBy(() -> ServeCommand.importSendmailCf(base, dir.resolve("bad.cf")))
                .isInstanceOf(CliException.class).hasMessageContaining("bad.cf").hasMessageContaining("noreflection");
    }
}
