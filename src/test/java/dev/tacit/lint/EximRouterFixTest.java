package dev.tacit.lint;

import static dev.tacit.lint.Lints.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * EX404's --fix judged by real Exim (Debian's exim4, unpacked as for the auditor's peers, run with
 * {@code -C FILE -bh}, Exim's own SMTP session simulation: nothing is delivered, no daemon): before the
 * fix EXPN lists an alias's members; after it the fixed file is accepted, EXPN no longer lists them and
 * RCPT-time {@code verify = recipient} still accepts the alias. The same config with {@code no_verify}
 * refuses the alias at RCPT: why EX407 never suggests it. Also Debian's own template, with EXPN
 * opened, fixed and accepted by Exim.
 */
@Timeout(120)
class EximRouterFixTest {

    @TempDir
    Path dir;

    static Path exim() {
        if (!"root".equals(System.getProperty("user.name")) && !External.ci()) {
            org.junit.jupiter.api.Assumptions.abort("exim -C needs a root-owned configuration: run as root");
        }
        Path peers = Path.of(System.getenv().getOrDefault("TACIT_PEERS", "/var/tmp/tacit-peers"));
        return External.require("exim4", peers.resolve("exim/usr/sbin").toString());
    }

    private String config(String extraRouterLine) {
        return """
                # a small Exim 4 configuration: aliases, then system users
                primary_hostname = mail.example.com
                domainlist local_domains = @ : example.com
                acl_smtp_expn = acl_check_expn
                acl_smtp_rcpt = acl_check_rcpt
                spool_directory = DIR/spool
                log_file_path = DIR/log/%slog
                keep_environment =

                begin acl
                acl_check_expn:
                  accept hosts = *
                acl_check_rcpt:
                  require verify = recipient
                  accept

                begin routers
                system_aliases:
                \tdriver = redirect
                \tdomains = +local_domains
                \tdata = ${lookup{$local_part}lsearch{DIR/aliases}}
                EXTRA
                local_user:
                  driver = accept
                  domains = +local_domains
                  check_local_user
                  transport = local_delivery

                begin transports
                local_delivery:
                  driver = appendfile
                  file = DIR/mbox
                """.replace("DIR", dir.toString()).replace("EXTRA\n", extraRouterLine);
    }

    /** One simulated SMTP session from 192.0.2.1; Exim's replies (stdout), one per line. */
    private static String session(Path exim, Path conf, String... commands) throws Exception {
        StringBuilder in = new StringBuilder("EHLO client.example.net\r\n");
        for (String c : commands) {
            in.append(c).append("\r\n");
        }
        in.append("QUIT\r\n");
        var r = DebianConfigs.run(List.of(exim.toString(), "-C", conf.toString(), "-bh", "192.0.2.1"), in.toString(), Map.of());
        assertThat(r.out()).as(r.err()).contains("221 ");
        return r.out();
    }

    private static String replyTo(String out, String startsWith) {
        return out.lines().filter(l -> l.startsWith(startsWith)).findFirst().orElse("(none)");
    }

    @Test
    void noExpnStopsExpnAndKeepsRcptVerification() throws Exception {
        Path exim = exim();
        // Exim reads the aliases and writes its spool and log as its own user, not as the caller
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : List.of("spool", "log")) {
            Files.setPosixFilePermissions(Files.createDirectories(dir.resolve(d)), PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.writeString(dir.resolve("aliases"), "staff: root\n");
        String original = config("");
        Path conf = Lints.write(dir, "exim.conf", original);

        String before = session(exim, conf, "EXPN staff@example.com", "MAIL FROM:<a@example.org>", "RCPT TO:<staff@example.com>");
        assertThat(before).contains("250 <root@mail.example.com>");

        var r = LintFixTest.fix(conf);
        assertThat(ids(r)).containsExactlyInAnyOrder("EX402", "EX404");
        String fixed = Files.readString(conf, StandardCharsets.ISO_8859_1);
        // one line added after the router's name, indented like its options (a tab); every other byte kept
        assertThat(fixed).isEqualTo(original.replace("system_aliases:\n", "system_aliases:\n\tno_expn\n"));
        assertThat(ids(Lints.lint(conf))).containsExactly("EX402");
        assertThat(Lints.lint(conf).edits()).isEmpty();

        var bv = DebianConfigs.run(List.of(exim.toString(), "-C", conf.toString(), "-bV"), null, Map.of());
        assertThat(bv.code()).as(bv.out() + bv.err()).isZero();
        String after = session(exim, conf, "EXPN staff@example.com", "MAIL FROM:<a@example.org>", "RCPT TO:<staff@example.com>",
                "RCPT TO:<nosuchuser@example.com>");
        assertThat(after).doesNotContain("<root@mail.example.com>");
        assertThat(replyTo(after, "250 Accepted")).isEqualTo("250 Accepted");
        assertThat(after).contains("550 Unrouteable address");

        // what EX407 warns against: no_verify also turns RCPT verification off for the router
        Path noVerify = Lints.write(dir, "noverify/exim.conf", config("\tno_verify\n"));
        String refused = session(exim, noVerify, "MAIL FROM:<a@example.org>", "RCPT TO:<staff@example.com>");
        assertThat(refused).doesNotContain("250 Accepted").contains("550 Unrouteable address");
    }

    @Test
    void debianTemplateWithExpnOpenedIsFixedAndStillAcceptedByExim() throws Exception {
        Path exim = exim();
        Path root = DebianConfigs.root();
        String text = "acl_smtp_expn = acl_check_rcpt\n"
                + Files.readString(root.resolve("etc/exim4/exim4.conf.template"), StandardCharsets.ISO_8859_1);
        Path conf = Lints.write(dir, "exim4.conf.template", text);
        var r = LintFixTest.fix(conf);
        assertThat(EximLintTest.routersNamed(r, "EX404")).containsExactlyInAnyOrder("system_aliases", "lowuid_aliases", "mail4root");
        String fixed = Files.readString(conf, StandardCharsets.ISO_8859_1);
        assertThat(LintFixTest.changedLines(text, fixed)).containsExactly("  no_expn\n", "  no_expn\n", "  no_expn\n");
        assertThat(fixed).contains("system_aliases:\n  no_expn\n  debug_print");
        assertThat(ids(Lints.lint(conf))).containsExactly("EX406");
        var bv = DebianConfigs.run(List.of(exim.toString(), "-C", conf.toString(), "-bV"), null, Map.of());
        assertThat(bv.code()).as(bv.out() + bv.err()).isZero();
        assertThat(bv.out() + bv.err()).doesNotContain("error");
    }
}
