package dev.tacit.lint;

import static dev.tacit.lint.Lints.first;
import static dev.tacit.lint.Lints.ids;
import static dev.tacit.lint.Lints.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
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
        assertThat(ids(r)).containsExactlyInAnyOrder("EX401", "EX402", "EX404", "EX407");
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
        assertThat(ids(r)).containsExactlyInAnyOrder("EX406", "EX406", "EX404", "EX407");
        assertThat(first(r, "EX404").severity().lower()).isEqualTo("low");
        assertThat(first(r, "EX407").severity().lower()).isEqualTo("low");
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

    static final String OPEN_EXPN = "acl_smtp_expn = acl_check_expn\nbegin acl\nacl_check_expn:\n  accept hosts = *\n";

    static List<String> routersNamed(Linter.Result r, String id) {
        return r.findings().stream().filter(f -> f.ruleId().equals(id)).map(f -> f.message().split(" ")[1]).toList();
    }

    @Test
    void everySpellingOfNoExpnAndTheRoutersEximSkipsForExpn() throws Exception {
        String routers = """
                begin routers
                nonlocal:
                  driver = redirect
                  domains = ! +local_domains
                  data = :fail: Mailing to remote domains not supported
                a_no_expn:
                  driver = redirect
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                  no_expn
                b_expn_false:
                  driver = redirect
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                  expn = false
                c_expn_no:
                  driver = redirect
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                  expn = no
                d_not_expn:
                  driver = redirect
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                  not_expn
                e_verify_only:
                  driver = redirect
                  verify_only
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                lists:
                  driver = redirect
                  file = /etc/exim4/lists/$local_part
                f_expn_true:
                  driver = redirect
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                  expn = true
                local_user:
                  driver = accept
                  check_local_user
                  transport = local_delivery
                """;
        var r = lint(dir, "open/configure", OPEN_EXPN + routers);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX402", "EX404", "EX404");
        assertThat(routersNamed(r, "EX404")).containsExactly("lists", "f_expn_true");
        assertThat(first(r, "EX404").remediation()).isEqualTo(
                "add no_expn to router lists (it only stops EXPN; delivery and verification are unchanged)");
        // only the router with no expn option at all gets an automatic edit: a second expn line would be refused
        assertThat(r.edits()).singleElement().satisfies(e -> {
            assertThat(e.text()).isEqualTo("  no_expn");
            assertThat(e.line()).isEqualTo(30).isEqualTo(first(r, "EX404").location().line()); // after "lists:"
        });
        // EXPN denied, or left to Exim's default: the routers do not matter
        assertThat(ids(lint(dir, "deny/configure", "acl_smtp_expn = deny\n" + routers))).isEmpty();
        assertThat(ids(lint(dir, "unset/configure", routers))).isEmpty();
    }

    @Test
    void noExpnThroughMacrosConditionalsAndIncludes() throws Exception {
        Lints.write(dir, "conf.d/routers.conf", """
                begin routers
                ALIASES_ROUTER:
                  driver = ALIAS_DRIVER
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                .ifdef HIDE_ALIASES
                  no_expn
                .endif
                """);
        String conf = "ALIAS_DRIVER = redirect\nALIASES_ROUTER = system_aliases\n" + OPEN_EXPN + ".include conf.d/routers.conf\n";
        var r = lint(dir, "exim4.conf", conf);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX402", "EX404");
        assertThat(first(r, "EX404").message()).startsWith("router system_aliases (redirect) has no no_expn");
        assertThat(first(r, "EX404").location().uri()).endsWith("routers.conf");
        assertThat(first(r, "EX404").location().line()).isEqualTo(2);
        assertThat(r.edits()).singleElement().satisfies(e -> assertThat(e.file().path()).endsWith(Path.of("conf.d/routers.conf")));
        var hidden = lint(dir, "exim4.conf", "HIDE_ALIASES = 1\n" + conf);
        assertThat(ids(hidden)).containsExactly("EX402");
        assertThat(hidden.edits()).isEmpty();
    }

    @Test
    void vrfyNamesTheRoutersThatKnowUsersAndNeverSuggestsNoVerify() throws Exception {
        String acl = "acl_smtp_vrfy = acl_check_vrfy\nbegin acl\nacl_check_vrfy:\n  accept\n";
        String routers = """
                begin routers
                dnslookup:
                  driver = dnslookup
                  domains = ! +local_domains
                  transport = remote_smtp
                system_aliases:
                  driver = redirect
                  data = ${lookup{$local_part}lsearch{/etc/aliases}}
                userforward:
                  driver = redirect
                  check_local_user
                  file = $home/.forward
                  no_verify
                local_user:
                  driver = accept
                  check_local_user
                  transport = local_delivery
                """;
        var r = lint(dir, "a/configure", acl + routers);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX401", "EX407");
        var f = first(r, "EX407");
        assertThat(f.severity().lower()).isEqualTo("medium");
        assertThat(f.location().line()).isEqualTo(1);
        assertThat(f.message()).contains("system_aliases (redirect: alias names)")
                .contains("local_user (check_local_user: system accounts)").doesNotContain("userforward").doesNotContain("dnslookup");
        assertThat(f.remediation()).startsWith("restrict acl_smtp_vrfy").contains("do not add no_verify").contains("verify = recipient");
        assertThat(r.edits()).isEmpty();
        // routers VRFY skips (no_verify, verify_recipient = false, verify = no) reveal nothing through it
        String skipped = routers.replace("  data = ${lookup{$local_part}lsearch{/etc/aliases}}\n",
                "  data = ${lookup{$local_part}lsearch{/etc/aliases}}\n  verify_recipient = false\n")
                .replace("  transport = local_delivery\n", "  transport = local_delivery\n  verify = no\n");
        assertThat(ids(lint(dir, "b/configure", acl + skipped))).containsExactly("EX401");
        // VRFY refused: no router finding
        assertThat(ids(lint(dir, "c/configure", "acl_smtp_vrfy = deny\n" + routers))).isEmpty();
    }
}
