package dev.tacit.lint;

import static dev.tacit.lint.Lints.first;
import static dev.tacit.lint.Lints.ids;
import static dev.tacit.lint.Lints.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.findings.Severity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostfixLintTest {

    @TempDir
    Path dir;

    static final String SAFE = """
            # hardened
            disable_vrfy_command = yes
            smtpd_helo_required = yes
            smtpd_client_recipient_rate_limit = 100
            show_user_unknown_table_name = no
            """;

    static final String MASTER = """
            # service type  private unpriv  chroot  wakeup  maxproc command + args
            smtp      inet  n       -       y       -       -       smtpd
            pickup    unix  n       -       y       60      1       pickup
            """;

    @Test
    void hardenedMainCfIsClean() throws Exception {
        assertThat(ids(lint(dir, "main.cf", SAFE))).isEmpty();
    }

    @Test
    void defaultsAreReportedAgainstTheWholeFile() throws Exception {
        var r = lint(dir, "main.cf", "myhostname = mx.example.com\n");
        assertThat(ids(r)).containsExactlyInAnyOrder("PF301", "PF304", "PF306", "PF307");
        assertThat(first(r, "PF301").location().line()).isZero();
        assertThat(first(r, "PF301").message()).contains("Postfix's default");
        assertThat(first(r, "PF301").references()).containsExactly("Lynis MAIL-8820");
    }

    @Test
    void continuationLinesCommentsAndReferences() throws Exception {
        String main = """
                my_no = no
                vrfy_off = ${my_no?{yes}:{no}}
                disable_vrfy_command =
                    $vrfy_off
                # a comment between the parts is skipped
                smtpd_helo_required = ${undefined_thing:yes}
                smtpd_client_recipient_rate_limit = $(rate)
                rate = 50
                show_user_unknown_table_name = no
                """;
        var r = lint(dir, "main.cf", main);
        assertThat(ids(r)).isEmpty();
        String open = main.replace("my_no = no", "my_no =");
        var r2 = lint(dir, "x/main.cf", open);
        assertThat(ids(r2)).containsExactly("PF301");
        assertThat(first(r2, "PF301").location().line()).isEqualTo(3);
        assertThat(first(r2, "PF301").message()).contains("$vrfy_off (= no)");
    }

    @Test
    void masterOverrideReopensVrfy() throws Exception {
        Path main = Lints.write(dir, "main.cf", SAFE);
        Path master = Lints.write(dir, "master.cf", MASTER + """
                submission inet n       -       y       -       -       smtpd
                  -o syslog_name=postfix/submission
                  -o disable_vrfy_command=no
                internal  unix  -       -       n       -       -       smtpd
                  -o disable_vrfy_command=no
                """);
        var r = lint(main, master);
        assertThat(ids(r)).containsExactly("PF302"); // the unix one is not reachable by clients
        var f = first(r, "PF302");
        assertThat(f.location().uri()).endsWith("master.cf");
        assertThat(f.location().line()).isEqualTo(6);
        assertThat(f.location().column()).isEqualTo(6);
    }

    @Test
    void bracedOverridesAndPerServiceValues() throws Exception {
        Path main = Lints.write(dir, "main.cf", SAFE);
        Path master = Lints.write(dir, "master.cf", MASTER + """
                2525      inet  n       -       y       -       -       smtpd
                  -o { smtpd_client_recipient_rate_limit = 0 }
                  -o { smtpd_hard_error_limit = 100 }
                """);
        var r = lint(main, master);
        assertThat(ids(r)).containsExactlyInAnyOrder("PF306", "PF305");
        assertThat(first(r, "PF306").location().line()).isEqualTo(5);
        assertThat(first(r, "PF305").message()).contains("100");
    }

    @Test
    void hiddenIsNotDisabled() throws Exception {
        var r = lint(dir, "main.cf", SAFE.replace("disable_vrfy_command = yes", "smtpd_discard_ehlo_keywords = silent-discard, vrfy"));
        assertThat(ids(r)).containsExactlyInAnyOrder("PF301", "PF303");
        assertThat(ids(lint(dir, "b/main.cf", SAFE + "smtpd_discard_ehlo_keywords = vrfy\n"))).isEmpty();
    }

    @Test
    void errorLimitsAndUnlistedRecipients() throws Exception {
        assertThat(ids(lint(dir, "a/main.cf", SAFE + "smtpd_soft_error_limit = 30\n"))).containsExactly("PF305");
        assertThat(ids(lint(dir, "b/main.cf", SAFE + "smtpd_error_sleep_time = 0s\n"))).containsExactly("PF305");
        assertThat(ids(lint(dir, "c/main.cf", SAFE + "smtpd_junk_command_limit = 1000\n"))).containsExactly("PF305");
        assertThat(ids(lint(dir, "d/main.cf", SAFE + "smtpd_hard_error_limit = 20\nsmtpd_soft_error_limit = 5\n"))).isEmpty();
        assertThat(ids(lint(dir, "e/main.cf", SAFE + "smtpd_reject_unlisted_recipient = no\n"))).containsExactly("PF308");
    }

    @Test
    void loopbackOnlyLowersVrfySeverity() throws Exception {
        var r = lint(dir, "main.cf", SAFE.replace("disable_vrfy_command = yes", "inet_interfaces = loopback-only"));
        assertThat(first(r, "PF301").severity()).isEqualTo(Severity.LOW);
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThatThrownBy(() -> lint(dir, "main.cf", "biff = no\nthis line has no equals sign\n"))
                .isInstanceOf(LintException.class)
                .satisfies(e -> assertThat(((LintException) e).oneLine()).contains("main.cf:2: missing '='"));
        assertThatThrownBy(() -> lint(dir, "master.cf", "smtp inet n - y - - smtpd\nbroken inet n\n"))
                .isInstanceOf(LintException.class).hasMessageContaining("8 fields");
        assertThatThrownBy(() -> lint(dir, "x/main.cf", "  indented = first\n"))
                .isInstanceOf(LintException.class).hasMessageContaining("no parameter to continue");
    }
}
