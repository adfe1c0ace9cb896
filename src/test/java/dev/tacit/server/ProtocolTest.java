package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command layer over a real socket: every reply byte for byte, every error path. */
class ProtocolTest {

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        // sendmail's own answers: public privacy options, no enumeration defence
        server = TestServer.start(dir, """
                privacy_options = "public"
                enumeration_defense = false
                [limits]
                max_recipients = 3
                max_message_size = 2000
                max_bad_commands = 5
                """);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> say(SmtpClient c, String line) throws Exception {
        return c.command(line).raw();
    }

    @Test
    void greetingHeloAndEhloAreSendmails() throws Exception {
        try (SmtpClient c = server.connect()) {
            assertThat(c.read().raw()).containsExactly("220 mail.example.com ESMTP");
            assertThat(say(c, "HELO client.example.net")).containsExactly("250 mail.example.com Hello localhost [127.0.0.1], pleased to meet you");
            assertThat(say(c, "EHLO client.example.net")).containsExactly(
                    "250-mail.example.com Hello localhost [127.0.0.1], pleased to meet you",
                    "250-ENHANCEDSTATUSCODES", "250-PIPELINING", "250-EXPN", "250-VERB", "250-8BITMIME", "250-SIZE 2000",
                    "250-DSN", "250-ETRN", "250-SMTPUTF8", "250 HELP");
        }
    }

    @Test
    void greetingTextIsConfigurable(@TempDir Path own) throws Exception {
        // the default (greetingHeloAndEhloAreSendmails) is the bare "220 <host> ESMTP"
        try (TestServer ts = TestServer.start(own, "greeting_text = \"Welcome; no relaying\"\n"); SmtpClient c = ts.connect()) {
            assertThat(c.read().raw()).containsExactly("220 mail.example.com ESMTP Welcome; no relaying");
            assertThat(c.command("QUIT").code()).isEqualTo(221);
        }
    }

    @Test
    void heloArgumentChecks() throws Exception {
        try (SmtpClient c = server.greeted()) {
            assertThat(say(c, "HELO")).containsExactly("501 5.0.0 HELO requires domain address");
            assertThat(say(c, "ehlo")).containsExactly("501 5.0.0 ehlo requires domain address");
            assertThat(say(c, "HELO bad name")).containsExactly("501 5.0.0 Invalid domain name");
            assertThat(say(c, "HELO " + "a".repeat(257))).containsExactly("501 5.0.0 Invalid domain name");
            assertThat(say(c, "HELO [127.0.0.1]   ")).hasSize(1).first().asString().startsWith("250 ");
        }
    }

    @Test
    void sequenceErrors() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            assertThat(say(c, "RCPT TO:<gw>")).containsExactly("503 5.5.1 Need MAIL before RCPT");
            assertThat(say(c, "DATA")).containsExactly("503 5.5.1 Need MAIL command");
            assertThat(say(c, "MAIL FROM:<a@example.org>")).containsExactly("250 2.1.0 <a@example.org>... Sender ok");
            assertThat(say(c, "MAIL FROM:<b@example.org>")).containsExactly("503 5.5.1 Sender already specified");
            assertThat(say(c, "DATA")).containsExactly("503 5.5.1 Need RCPT (recipient)");
            assertThat(say(c, "RSET")).containsExactly("250 2.0.0 Reset state");
            assertThat(say(c, "RCPT TO:<gw>")).containsExactly("503 5.5.1 Need MAIL before RCPT");
            assertThat(say(c, "NOOP")).containsExactly("250 2.0.0 OK");
            assertThat(say(c, "NOOP with args")).containsExactly("250 2.0.0 OK");
            assertThat(say(c, "QUIT")).containsExactly("221 2.0.0 mail.example.com closing connection");
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void mailAndRcptSyntax() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            assertThat(say(c, "MAIL FROM probe@example.org")).containsExactly("501 5.5.2 Syntax error in parameters scanning \"FROM\"");
            assertThat(say(c, "MAIL TO:<a@b.c>")).containsExactly("501 5.5.2 Syntax error in parameters scanning \"TO\"");
            assertThat(say(c, "MAIL FROM:")).containsExactly("501 5.5.2 Syntax error in parameters scanning \"FROM\"");
            assertThat(say(c, "MAIL FROM:<a@b..c>")).containsExactly("501 5.1.7 <a@b..c>... Bad sender address syntax");
            assertThat(say(c, "MAIL FROM:<a@b.c> FOO=bar")).containsExactly("555 5.5.4 FOO parameter unrecognized");
            assertThat(say(c, "MAIL FROM:<a@b.c> SIZE=abc")).containsExactly("501 5.5.4 Syntax error in parameter SIZE=abc");
            assertThat(say(c, "MAIL FROM:<a@b.c> SIZE=2001")).containsExactly("552 5.3.4 Message size exceeds fixed maximum message size (2000)");
            assertThat(say(c, "MAIL FROM:<a@b.c> BODY=BINARYMIME")).containsExactly("501 5.5.4 Syntax error in parameter BODY=BINARYMIME");
            assertThat(say(c, "MAIL FROM:<jörg@b.c>")).containsExactly("553 5.6.7 <jörg@b.c>... Non-ASCII address requires SMTPUTF8");
            assertThat(say(c, "MAIL FROM : <> BODY=8BITMIME")).containsExactly("250 2.1.0 <>... Sender ok");
            assertThat(say(c, "RCPT TO:<gw@>")).containsExactly("553 5.1.3 <gw@>... Hostname required");
            assertThat(say(c, "RCPT TO:<gw")).containsExactly("553 5.0.0 <gw... Unbalanced '<'");
            assertThat(say(c, "RCPT TO:<gw@b..c>")).containsExactly("501 5.1.3 <gw@b..c>... Bad recipient address syntax");
            assertThat(say(c, "RCPT TO:<@relay.example>")).containsExactly("501 5.1.3 <@relay.example>... Bad recipient address syntax");
            assertThat(say(c, "RCPT TO:<nosuchuser@example.com>")).containsExactly("550 5.1.1 <nosuchuser@example.com>... User unknown");
            assertThat(say(c, "RCPT TO:<someone@elsewhere.example.org>")).containsExactly("550 5.7.1 <someone@elsewhere.example.org>... Relaying denied");
            assertThat(say(c, "RCPT TO:<gw@example.com> XYZZY=1")).containsExactly("555 5.5.4 XYZZY parameter unrecognized");
            assertThat(say(c, "RCPT TO:<jörg@example.com>")).containsExactly("553 5.6.7 <jörg@example.com>... Non-ASCII address requires SMTPUTF8");
        }
    }

    @Test
    void localUserSpellingsAreOneRecipient() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            say(c, "MAIL FROM:<a@example.org>");
            assertThat(say(c, "RCPT TO:<gw>")).containsExactly("250 2.1.5 <gw>... Recipient ok");
            assertThat(say(c, "RCPT TO:<gw@MAIL.EXAMPLE.COM>")).containsExactly("250 2.1.5 <gw>... Recipient ok");
            assertThat(say(c, "RCPT TO:<\"gw\"@mail.example.com>")).containsExactly("250 2.1.5 <gw>... Recipient ok");
            // every name in class w is the same mailbox: sendmail answers with the first spelling
            // (oracle-directory transcript d20_edge_addresses)
            assertThat(say(c, "RCPT TO:<GW@localhost>")).containsExactly("250 2.1.5 <gw>... Recipient ok");
        }
    }

    @Test
    void ipv6ListenAddressLiteralIsLocal(@TempDir Path own) throws Exception {
        // class w takes the literals of the listen addresses (issue 3): here only ::1, so [IPv6:::1]
        // (in any spelling) is this host, while [IPv6:::2] and even [127.0.0.1] are somewhere else
        try (TestServer ts = TestServer.start(own, """
                listen = ["[::1]:0"]
                privacy_options = "public"
                enumeration_defense = false
                """)) {
            int port = ts.port(ListenerRole.MTA);
            try (SmtpClient c = SmtpClient.connect("::1", port, java.time.Duration.ofSeconds(30))) {
                assertThat(c.read().code()).isEqualTo(220);
                say(c, "EHLO x");
                assertThat(say(c, "VRFY gw@[IPv6:::1]")).containsExactly("250 2.1.5 George Washington <gw@mail.example.com>");
                assertThat(say(c, "VRFY gw@[IPv6:0:0:0:0:0:0:0:1]")).containsExactly("250 2.1.5 George Washington <gw@mail.example.com>");
                assertThat(say(c, "VRFY nosuch@[IPv6:::1]")).containsExactly("550 5.1.1 nosuch@[IPv6:::1]... User unknown");
                assertThat(say(c, "VRFY gw@[IPv6:::2]")).hasSize(1).first().asString().startsWith("252 ").doesNotContain("George");
                say(c, "MAIL FROM:<a@example.org>");
                assertThat(say(c, "RCPT TO:<gw@[IPv6:::1]>")).containsExactly("250 2.1.5 <gw@[IPv6:::1]>... Recipient ok");
                assertThat(say(c, "RCPT TO:<nosuch@[IPv6:::1]>")).containsExactly("550 5.1.1 <nosuch@[IPv6:::1]>... User unknown");
                assertThat(say(c, "RCPT TO:<gw@[IPv6:::2]>")).containsExactly("550 5.7.1 <gw@[IPv6:::2]>... Relaying denied");
                assertThat(say(c, "RCPT TO:<gw@[127.0.0.1]>")).containsExactly("550 5.7.1 <gw@[127.0.0.1]>... Relaying denied");
            }
        }
    }

    @Test
    void tooManyRecipients() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            say(c, "MAIL FROM:<a@example.org>");
            for (String u : new String[] {"gw", "tj", "bf"}) {
                assertThat(c.command("RCPT TO:<" + u + "@example.com>").code()).isEqualTo(250);
            }
            assertThat(say(c, "RCPT TO:<br@example.com>")).containsExactly("452 4.5.3 Too many recipients");
        }
    }

    @Test
    void messageTooLargeIsReadToItsEndAndRefused() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            say(c, "MAIL FROM:<a@example.org>");
            say(c, "RCPT TO:<jqp@example.com>");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            String big = ("x".repeat(70) + "\r\n").repeat(100);
            assertThat(c.data(big.getBytes(StandardCharsets.US_ASCII)).raw())
                    .containsExactly("552 5.3.4 Message size exceeds fixed maximum message size (2000)");
            assertThat(say(c, "NOOP")).containsExactly("250 2.0.0 OK");
        }
        Thread.sleep(300);
        assertThat(server.maildirs().messages("jqp")).isEmpty();
    }

    @Test
    void unknownProbeAndUnimplementedCommands() throws Exception {
        try (SmtpClient c = server.greeted()) {
            assertThat(say(c, "XYZZY some args")).containsExactly("500 5.5.1 Command unrecognized: \"XYZZY some args\"");
            assertThat(say(c, "DEBUG 0-99.100")).containsExactly("500 5.5.1 Command unrecognized: \"DEBUG 0-99.100\"");
            assertThat(say(c, "showq")).containsExactly("500 5.5.1 Command unrecognized: \"showq\"");
            assertThat(say(c, "SEND FROM:<a@b>")).containsExactly("502 5.5.1 Command not implemented: \"SEND FROM:<a@b>\"");
            assertThat(say(c, "GET / HTTP/1.0")).containsExactly("500 5.5.1 Command unrecognized: \"GET / HTTP/1.0\"");
        }
    }

    @Test
    void badCommandLimitCloses() throws Exception {
        try (SmtpClient c = server.greeted()) {
            for (int i = 1; i <= 5; i++) {
                assertThat(c.command("BOGUS" + i).code()).isEqualTo(500);
            }
            assertThat(say(c, "BOGUS6")).containsExactly("421 4.7.0 mail.example.com Too many bad commands; closing connection");
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void firstLineThatLooksLikeHttpIsAnOpenProxyProbe() throws Exception {
        try (SmtpClient c = server.greeted()) {
            assertThat(say(c, "GET / HTTP/1.1")).containsExactly("421 4.7.0 mail.example.com Rejecting open proxy localhost [127.0.0.1]");
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void overlongCommandLineClosesAsSendmailDoes() throws Exception {
        try (SmtpClient c = server.greeted()) {
            assertThat(c.command("NOOP " + "x".repeat(2041)).code()).isEqualTo(250); // 2046 + CRLF = 2048
            assertThat(say(c, "NOOP " + "x".repeat(2042))).containsExactly(
                    "421 4.7.0 mail.example.com Command too long, possible attack localhost [127.0.0.1]");
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void nulAndInvalidBytesGetAReplyAndTheSessionGoesOn() throws Exception {
        try (SmtpClient c = server.greeted()) {
            c.sendRaw("NOOP\0x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(c.read().raw()).containsExactly("500 5.5.2 Command contains invalid characters");
            c.sendRaw(new byte[] {'N', 'O', 'O', 'P', ' ', (byte) 0xff, (byte) 0xfe, '\r', '\n'});
            assertThat(c.read().raw()).containsExactly("500 5.5.2 Command contains invalid characters");
            c.sendRaw(new byte[] {(byte) 0x80, 0x01, 0x02, '\r', '\n'});
            assertThat(c.read().raw()).containsExactly("500 5.5.2 Command contains invalid characters");
            assertThat(say(c, "NOOP")).containsExactly("250 2.0.0 OK");
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrderInOneGo() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            String batch = "MAIL FROM:<a@example.org>\r\nRCPT TO:<gw@example.com>\r\nRCPT TO:<nobody@example.com>\r\n"
                    + "RCPT TO:<tj@example.com>\r\nDATA\r\n";
            c.sendRaw(batch.getBytes(StandardCharsets.US_ASCII));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(c.read().raw().get(0));
            }
            assertThat(got).containsExactly("250 2.1.0 <a@example.org>... Sender ok", "250 2.1.5 <gw@example.com>... Recipient ok",
                    "550 5.1.1 <nobody@example.com>... User unknown", "250 2.1.5 <tj@example.com>... Recipient ok",
                    "354 Enter mail, end with \".\" on a line by itself");
            c.sendRaw("Subject: piped\r\n\r\nbody\r\n.\r\nRSET\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.read().raw().get(0)).matches("250 2\\.0\\.0 \\S+ Message accepted for delivery");
            assertThat(c.read().raw()).containsExactly("250 2.0.0 Reset state");
            assertThat(c.read().raw()).containsExactly("250 2.0.0 OK");
        }
    }

    @Test
    void commandsSentBeforeTheGreetingAreAnsweredAfterIt() throws Exception {
        try (SmtpClient c = server.connect()) {
            c.sendRaw("EHLO early\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.read().raw()).containsExactly("220 mail.example.com ESMTP");
            assertThat(c.read().code()).isEqualTo(250);
            assertThat(c.read().raw()).containsExactly("250 2.0.0 OK");
        }
    }

    @Test
    void helpNamesNoVersion() throws Exception {
        try (SmtpClient c = server.greeted()) {
            List<String> help = say(c, "HELP");
            assertThat(help.get(0)).isEqualTo("214-2.0.0 This is the mail server of this site.");
            assertThat(help.get(help.size() - 1)).isEqualTo("214 2.0.0 End of HELP info");
            assertThat(String.join("\n", help)).doesNotContainIgnoringCase("version").doesNotContainIgnoringCase("tacit");
            assertThat(say(c, "HELP vrfy")).containsExactly("214-2.0.0 VRFY <recipient>",
                    "214-2.0.0 \tVerify an address.  If you want to see what it aliases",
                    "214-2.0.0 \tto, use EXPN instead.", "214 2.0.0 End of HELP info");
            assertThat(say(c, "HELP nosuchtopic")).containsExactly("504 5.3.0 HELP topic \"nosuchtopi\" unknown");
        }
    }

    @Test
    void vrfyAndExpnInPublicModeAnswerFromTheDirectory() throws Exception {
        try (SmtpClient c = server.greeted()) {
            say(c, "EHLO x");
            assertThat(say(c, "VRFY gw")).containsExactly("250 2.1.5 George Washington <gw@mail.example.com>");
            assertThat(say(c, "VRFY nosuchuser")).containsExactly("550 5.1.1 nosuchuser... User unknown");
            assertThat(say(c, "VRFY")).containsExactly("501 5.5.2 Argument required");
            assertThat(say(c, "EXPN all")).hasSize(5).allMatch(l -> l.matches("250[- ]2\\.1\\.5 .+ <[a-z]+@mail\\.example\\.com>"));
            assertThat(say(c, "VERB")).containsExactly("250 2.0.0 Verbose mode");
            // sendmail now sends 050 notices (alias expansions, home folders); Tacit never does
            assertThat(say(c, "EXPN all")).hasSize(5).allMatch(l -> l.startsWith("250"));
            assertThat(say(c, "MAIL FROM:<a@example.org>")).containsExactly("250 2.1.0 <a@example.org>... Sender ok");
            assertThat(say(c, "RCPT TO:<all@example.com>")).containsExactly("250 2.1.5 <all@example.com>... Recipient ok");
            assertThat(say(c, "RSET")).containsExactly("250 2.0.0 Reset state");
            assertThat(say(c, "NOOP")).containsExactly("250 2.0.0 OK");
            assertThat(say(c, "ETRN mail.example.com")).containsExactly("250 2.0.0 Queuing for node mail.example.com started");
            assertThat(say(c, "ETRN")).containsExactly("500 5.5.2 Parameter required");
        }
    }
}
