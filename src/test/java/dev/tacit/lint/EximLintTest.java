package dev.tacit.lint;

import static dev.tacit.lint.Lints.first;
import static dev.tacit.lint.Lints.ids;
import static dev.tacit.lint.Lints.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EximLintTest {

    @TempDir
    Path dir;

    static final String ROUTERS = """
            begin routers
            system_aliases:
              driver = redirect
              data = ${lookup{$local_part}lsearch{/etc/aliases}}
            userforward:
              driver = redirect
              check_local_user
              file = $home/.forward
              no_verify
              no_expn
            """;

    @Test
    void unsetAclsAreSafe() throws Exception {
        assertThat(ids(lint(dir, "exim4.conf", "primary_hostname = mx.example.com\nacl_smtp_rcpt = acl_check_rcpt\n"
                + "begin acl\nacl_check_rcpt:\n  accept\n" + ROUTERS))).isEmpty();
    }

    @Test
    void anAclThatAcceptsEveryoneIsExposure() throws Exception {
        String conf = """
                acl_smtp_vrfy = acl_check_vrfy
                acl_smtp_expn = acl_check_expn
                begin acl
                acl_check_vrfy:
                  warn    logwrite = VRFY from $sender_host_address
                  accept
                acl_check_expn:
                  accept  hosts = *
                          message = ok
                """ + ROUTERS;
        var r = lint(dir, "configure", conf);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX401", "EX402", "EX404");
        assertThat(first(r, "EX401").location().line()).isEqualTo(6);
        assertThat(first(r, "EX404").message()).contains("system_aliases");
        assertThat(first(r, "EX404").location().line()).isEqualTo(11);
    }

    @Test
    void hostRestrictedAclsAreOnlyInfo() throws Exception {
        String conf = """
                acl_smtp_vrfy = acl_check_vrfy
                acl_smtp_expn = acl_check_expn
                begin acl
                acl_check_vrfy:
                  accept  hosts = 127.0.0.1 : +relay_from_hosts
                  deny    message = no
                acl_check_expn:
                  deny    !hosts = 192.0.2.0/24
                  accept
                """ + ROUTERS;
        var r = lint(dir, "configure", conf);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX406", "EX406", "EX404");
        assertThat(first(r, "EX404").severity().lower()).isEqualTo("low");
    }

    @Test
    void aConditionalAcceptDoesNotHideALaterAcceptAll() throws Exception {
        String conf = """
                acl_smtp_vrfy = acl_check_vrfy
                begin acl
                acl_check_vrfy:
                  accept  hosts = :
                  accept  hosts = 127.0.0.1
                  warn    log_message = someone asked
                  accept
                """;
        var r = lint(dir, "configure", conf);
        assertThat(ids(r)).containsExactly("EX401");
        assertThat(first(r, "EX401").location().line()).isEqualTo(7);
        var guarded = lint(dir, "b/configure", conf.replace("  warn    log_message = someone asked\n",
                "  require authenticated = *\n"));
        assertThat(ids(guarded)).containsExactly("EX406");
        assertThat(first(guarded, "EX406").message()).contains("hosts = :");
    }

    @Test
    void theWordAcceptIsTheBuiltInAcceptAll() throws Exception {
        assertThat(ids(lint(dir, "a/configure", "acl_smtp_vrfy = accept\n"))).containsExactly("EX401");
        assertThat(ids(lint(dir, "b/configure", "acl_smtp_vrfy = deny\n"))).isEmpty();
        assertThat(ids(lint(dir, "c/configure", "acl_smtp_expn = nosuchacl\nbegin acl\nother:\n  accept\n"))).containsExactly("EX403");
        assertThat(ids(lint(dir, "d/configure", "acl_smtp_expn = \"accept hosts = *\"\n"))).containsExactly("EX402");
    }

    @Test
    void macrosConditionalsAndIncludes() throws Exception {
        Lints.write(dir, "conf.d/acl.conf", """
                begin acl
                VRFY_ACL:
                  accept
                """);
        String conf = """
                VRFY_ACL = acl_check_vrfy
                .ifdef VRFY_ACL
                acl_smtp_vrfy = VRFY_ACL
                .else
                acl_smtp_vrfy = deny
                .endif
                .ifndef OPEN_EXPN
                acl_smtp_expn = deny
                .endif
                .include conf.d/acl.conf
                .include_if_exists conf.d/missing.conf
                """;
        var r = lint(dir, "exim4.conf.template", conf);
        assertThat(ids(r)).containsExactly("EX401");
        assertThat(first(r, "EX401").location().uri()).endsWith("acl.conf");
        assertThat(r.targets()).anySatisfy(t -> assertThat(t).endsWith("acl.conf"));
        assertThatThrownBy(() -> lint(dir, "b/configure", ".include /nonexistent/dir/x.conf\n"))
                .isInstanceOf(LintException.class).hasMessageContaining(".include file not found");
        assertThatThrownBy(() -> lint(dir, "c/configure", ".ifdef X\nfoo = 1\n"))
                .isInstanceOf(LintException.class).hasMessageContaining("missing .endif");
    }

    @Test
    void exim3OptionsAndSyntax() throws Exception {
        var r = lint(dir, "configure", "smtp_verify = true\nsmtp_expn_hosts = localhost\nend\n");
        assertThat(ids(r)).containsExactly("EX405", "EX405", "EX405");
        assertThat(r.findings().get(0).message()).contains("acl_smtp_vrfy");
    }

    @Test
    void continuationLines() throws Exception {
        var r = lint(dir, "configure", "acl_smtp_expn = acl_\\\n   check_expn\nbegin acl\nacl_check_expn:\n  accept hosts = *\n");
        assertThat(ids(r)).containsExactly("EX402");
    }
}
