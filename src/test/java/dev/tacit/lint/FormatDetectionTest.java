package dev.tacit.lint;

import static dev.tacit.lint.Lints.ids;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Formats are detected from the file name, then from the content when the name says nothing (files
 * kept under other names in a repository), and --type overrides both.
 */
class FormatDetectionTest {

    @TempDir
    Path dir;

    @Test
    void byName() {
        assertThat(ConfigType.detect("sendmail.mc", "")).isEqualTo(ConfigType.SENDMAIL_MC);
        assertThat(ConfigType.detect("sendmail.cf", "O PrivacyOptions=goaway\n")).isEqualTo(ConfigType.SENDMAIL_CF);
        assertThat(ConfigType.detect("main.cf", "")).isEqualTo(ConfigType.POSTFIX);
        assertThat(ConfigType.detect("master.cf", "")).isEqualTo(ConfigType.POSTFIX);
        assertThat(ConfigType.detect("main.cf.debian", "")).isEqualTo(ConfigType.POSTFIX);
        assertThat(ConfigType.detect("exim4.conf.template", "")).isEqualTo(ConfigType.EXIM);
        assertThat(ConfigType.detect("configure", "")).isEqualTo(ConfigType.EXIM);
        assertThat(ConfigType.detect("tacit.toml", "")).isEqualTo(ConfigType.TACIT);
    }

    @Test
    void byContentWhenTheNameSaysNothing() {
        assertThat(ConfigType.detect("mta.conf", "divert(-1)dnl\nOSTYPE(`debian')dnl\nMAILER(`local')dnl\n"))
                .isEqualTo(ConfigType.SENDMAIL_MC);
        assertThat(ConfigType.detect("mta.conf", "V10/Berkeley\nO LogLevel=9\nScheck_vrfy\nR$*\t$#error $: no\n"))
                .isEqualTo(ConfigType.SENDMAIL_CF);
        assertThat(ConfigType.detect("mta.conf", "acl_smtp_vrfy = acl_check_vrfy\nbegin acl\nacl_check_vrfy:\n  deny\n"))
                .isEqualTo(ConfigType.EXIM);
        assertThat(ConfigType.detect("mta.conf", "myhostname = mx.example.com\ndisable_vrfy_command = yes\n"))
                .isEqualTo(ConfigType.POSTFIX);
        assertThat(ConfigType.detect("services", "smtp      inet  n       -       y       -       -       smtpd\n"))
                .isEqualTo(ConfigType.POSTFIX);
        assertThat(ConfigType.isMaster("services", "smtp      inet  n       -       y       -       -       smtpd\n")).isTrue();
        assertThat(ConfigType.detect("mta.conf", "hostname = \"mx.example.com\"\nprivacy_options = \"public\"\n"))
                .isEqualTo(ConfigType.TACIT);
        assertThat(ConfigType.detect("notes.txt", "hello world\n")).isNull();
    }

    @Test
    void contentDetectedFilesAreLintedAsTheirFormat() throws Exception {
        assertThat(ids(Lints.lint(dir, "mta-a.conf", "V10/Berkeley\nO PrivacyOptions=authwarnings\nO BadRcptThrottle=3\n"
                + "O MaxRecipientsPerMessage=100\n"))).containsExactlyInAnyOrder("SM101", "SM102");
        assertThat(ids(Lints.lint(dir, "mta-b.conf", "myhostname = mx.example.com\n"))).contains("PF301");
    }

    @Test
    void typeOverridesNameAndContent() throws Exception {
        // a file whose name and content say nothing is refused without --type and linted with it
        Path f = Lints.write(dir, "settings.txt", "biff = no\n");
        assertThat(ids(new Linter().lint(List.of(f), ConfigType.POSTFIX))).containsExactlyInAnyOrder("PF301", "PF304", "PF306", "PF307");
        // and --type wins over a name that would say otherwise
        Path cf = Lints.write(dir, "x/main.cf", "O PrivacyOptions=goaway\nO BadRcptThrottle=3\nO MaxRecipientsPerMessage=100\n");
        assertThat(ids(new Linter().lint(List.of(cf), ConfigType.SENDMAIL_CF))).isEmpty();
    }
}
