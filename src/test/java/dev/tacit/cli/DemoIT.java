package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.External;
import dev.tacit.testing.Maildirs;
import dev.tacit.testing.TacitProcess;
import dev.tacit.testing.TestCerts;
import dev.tacit.testing.TlsFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: `tacit demo` gives a working server with the demo users and safe defaults. */
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void demoServesTheSampleSiteWithGoawayAndStopsCleanly() throws Exception {
        int port = External.freePort();
        int submission = External.freePort();
        Path data = dir.resolve("demo");
        Path log = dir.resolve("demo.log");
        try (TacitProcess p = TacitProcess.start(log, "demo", "--data-dir", data.toString(), "--port", String.valueOf(port),
                "--submission-port", String.valueOf(submission))) {
            p.awaitPort(port, 30_000);
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
                assertThat(c.read().raw()).containsExactly("220 mail.example.com ESMTP");
                assertThat(c.command("VRFY gw").raw()).containsExactly("252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)");
                assertThat(c.command("EHLO me").raw()).doesNotContain("250-EXPN", "250-VERB").contains("250-STARTTLS");
                assertThat(c.command("EXPN all").raw()).containsExactly("502 5.7.0 Sorry, we do not allow this operation");
                assertThat(c.command("MAIL FROM:<visitor@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<all@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: demo\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
                // postmaster and abuse are gw's (one message each, so the list's copy does not hide them)
                for (String role : new String[] {"postmaster", "abuse"}) {
                    assertThat(c.command("MAIL FROM:<visitor@example.org>").code()).isEqualTo(250);
                    assertThat(c.command("RCPT TO:<" + role + "@example.com>").code()).isEqualTo(250);
                    assertThat(c.command("DATA").code()).isEqualTo(354);
                    assertThat(c.data(("Subject: to " + role + "\r\n\r\nhi\r\n").getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
                }
                // a probe: answered as an unknown command, logged at crit on standard output (log.stdout)
                assertThat(c.command("DEBUG").raw()).containsExactly("500 5.5.1 Command unrecognized: \"DEBUG\"");
                // the README's goaway block: an unknown user looks like a real one; the one verdict comes after DATA
                assertThat(c.command("MAIL FROM:<me@example.net>").raw()).containsExactly("250 2.1.0 <me@example.net>... Sender ok");
                assertThat(c.command("RCPT TO:<nosuchuser@example.com>").raw())
                        .containsExactly("250 2.1.5 <nosuchuser@example.com>... Recipient ok");
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).raw())
                        .containsExactly("550 5.1.1 No valid recipients");
            }
            // STARTTLS works out of the box, with the self-signed certificate made on first start;
            // submission takes gw with the password the demo made and printed
            p.awaitPort(submission, 30_000);
            String password = Files.readString(data.resolve("demo-password")).strip();
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", submission, Duration.ofSeconds(10))) {
                c.read();
                c.command("EHLO me");
                assertThat(c.command("MAIL FROM:<gw@example.com>").raw()).containsExactly("530 5.7.0 Must issue a STARTTLS command first");
                assertThat(c.command("STARTTLS").code()).isEqualTo(220);
                try (SmtpClient t = c.startTls(TestCerts.trustAll(null), "mail.example.com")) {
                    assertThat(t.command("EHLO me").raw()).contains("250-AUTH PLAIN LOGIN");
                    assertThat(t.command("AUTH PLAIN " + TlsFixture.plain("gw", password)).code()).isEqualTo(235);
                }
            }
            Maildirs m = new Maildirs(data.resolve("mail"));
            for (String u : new String[] {"tj", "bf", "br", "jqp"}) {
                assertThat(m.await(u, 1, Duration.ofSeconds(10)).get(0)).contains("Subject: demo");
            }
            assertThat(String.join("\n", m.await("gw", 3, Duration.ofSeconds(10)))).contains("Subject: demo", "Subject: to postmaster",
                    "Subject: to abuse");
            assertThat(p.stop()).isIn(0, 143);
        }
        String out = Files.readString(log);
        assertThat(out).contains("listening on 127.0.0.1:" + port, "swaks --server 127.0.0.1:" + port, data.toString(),
                "swaks --server 127.0.0.1:" + submission + " --tls --auth PLAIN --auth-user gw --auth-password " + Files.readString(
                        data.resolve("demo-password")).strip(), "openssl s_client -starttls smtp -connect 127.0.0.1:" + port,
                "telnet 127.0.0.1 " + port, "\"debug\" command from localhost [127.0.0.1] (127.0.0.1)");
        assertThat(Files.getPosixFilePermissions(data.resolve("tls/key.pem"))).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        Process x = new ProcessBuilder(External.require("openssl").toString(), "x509", "-in", data.resolve("tls/cert.pem").toString(), "-noout",
                "-subject", "-ext", "subjectAltName").redirectErrorStream(true).start();
        assertThat(new String(x.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("subject=CN = mail.example.com",
                "DNS:mail.example.com", "DNS:localhost", "IP Address:127.0.0.1");
        assertThat(Files.readString(data.resolve("users"))).containsPattern("gw:George Washington::\\$argon2id\\$");
        assertThat(Files.readString(data.resolve("users"))).contains("tj:Thomas Jefferson\n", "bf:Ben Franklin\n", "br:Betsy Ross\n",
                "jqp:John Q. Public\n");
        assertThat(Files.readString(data.resolve("tacit.toml"))).contains("privacy_options = \"goaway\"");
    }

    /** Whether nothing listens on 127.0.0.1:port right now (a bind attempt, closed at once). */
    private static boolean free(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The README's command as written, `tacit demo` with no --port and no --data-dir: it listens on
     * 127.0.0.1:2525 (only there) and keeps its data in ./tacit-demo of the working directory, which it
     * names at start. Run in a scratch working directory and HOME, so nothing lands in the checkout.
     */
    @Test
    void demoWithoutFlagsUsesPort2525AndTheDefaultFolder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(free(2525),
                "skipped: 127.0.0.1:2525 is already taken on this machine, so the demo's default port cannot be tried");
        Path work = Files.createDirectories(dir.resolve("work"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path log = dir.resolve("demo.log");
        // the submission port has its own default (2587); only when that one is busy is it moved, so the test still runs
        String[] args = free(2587) ? new String[] {"demo"} : new String[] {"demo", "--submission-port", String.valueOf(External.freePort())};
        Path data = work.toRealPath().resolve("tacit-demo"); // the demo names its folder from the real working directory
        try (TacitProcess p = TacitProcess.startIn(work, java.util.Map.of("HOME", home.toString()), log, args)) {
            try {
                p.awaitPort(2525, 30_000);
            } catch (AssertionError e) {
                // another build on this machine may have taken 2525 since the check: that is the skip case, not a failure
                org.junit.jupiter.api.Assumptions.assumeFalse(Files.readString(log).contains("Address already in use"),
                        "skipped: 127.0.0.1:2525 was taken by another process while the demo started");
                throw e;
            }
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", 2525, Duration.ofSeconds(10))) {
                assertThat(c.read().raw()).containsExactly("220 mail.example.com ESMTP");
                assertThat(c.command("EHLO me").code()).isEqualTo(250);
                assertThat(c.command("MAIL FROM:<visitor@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.data("Subject: default folder\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            }
            // bound to 127.0.0.1, not to every address: another loopback address is refused
            assertThatThrownBy(() -> {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress("127.0.0.2", 2525), 2_000);
                }
            }).isInstanceOf(java.net.ConnectException.class);
            assertThat(new Maildirs(data.resolve("mail")).await("gw", 1, Duration.ofSeconds(10)).get(0)).contains("Subject: default folder");
            assertThat(p.stop()).isIn(0, 143);
        }
        String out = Files.readString(log);
        assertThat(out).contains("tacit: listening on 127.0.0.1:2525 as mail.example.com", "tacit demo: data in " + data + " (",
                "swaks --server 127.0.0.1:2525 ");
        assertThat(data.resolve("users")).content().contains("tj:Thomas Jefferson");
        assertThat(data.resolve("aliases")).content().contains("all: gw, tj, bf, br, jqp");
        assertThat(data.resolve("tacit.toml")).exists();
        assertThat(data.resolve("tls/cert.pem")).exists();
        // nothing written into HOME: the default folder follows the working directory
        try (var s = Files.list(home)) {
            assertThat(s).isEmpty();
        }
    }

    /** The README's "what a leaking sendmail tells a prober" block, replayed against the demo run as it says. */
    @Test
    void readmesPublicExampleIsWhatTheDemoAnswers() throws Exception {
        String readme = Files.readString(External.projectDir().resolve("README.md"));
        String vrfy = "250 2.1.5 George Washington <gw@mail.example.com>";
        String unknown = "550 5.1.1 <nosuchuser@example.com>... User unknown";
        assertThat(readme).contains("./tacit demo --privacy public\n--no-enumeration-defense", "    VRFY gw\n    " + vrfy,
                "    EXPN all\n    250-2.1.5 John Q. Public <jqp@mail.example.com>\n",
                "    RCPT TO:<nosuchuser@example.com>\n    " + unknown);
        int port = External.freePort();
        try (TacitProcess p = TacitProcess.start(dir.resolve("demo.log"), "demo", "--data-dir", dir.resolve("demo").toString(), "--port",
                String.valueOf(port), "--submission-port", String.valueOf(External.freePort()), "--privacy", "public",
                "--no-enumeration-defense")) {
            p.awaitPort(port, 30_000);
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
                c.read();
                assertThat(c.command("VRFY gw").raw()).containsExactly(vrfy);
                java.util.List<String> expn = c.command("EXPN all").raw();
                assertThat(expn).hasSize(5);
                assertThat(expn.get(0)).isEqualTo("250-2.1.5 John Q. Public <jqp@mail.example.com>");
                assertThat(expn.get(4)).isEqualTo(vrfy);
                assertThat(c.command("MAIL FROM:<me@example.net>").raw()).containsExactly("250 2.1.0 <me@example.net>... Sender ok");
                assertThat(c.command("RCPT TO:<nosuchuser@example.com>").raw()).containsExactly(unknown);
            }
            assertThat(p.stop()).isIn(0, 143);
        }
    }
}
