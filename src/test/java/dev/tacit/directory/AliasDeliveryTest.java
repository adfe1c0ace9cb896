package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.Maildirs;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over SMTP: mail to lists that overlap, nest, include a file and name members several
 * ways reaches each final recipient's Maildir exactly once; a member that cannot be delivered does
 * not stop the others.
 */
class AliasDeliveryTest {

    static final String USERS = """
            gw:George Washington
            tj:Thomas Jefferson
            bf:Benjamin Franklin
            js:x:1004:1004:& Smith,Room 101:/home/js:/bin/bash
            br:Betsy Ross:boxes/betsy
            """;

    static final String ALIASES = """
            all: gw, tj, bf
            staff: GW, tj@mail.example.com, "bf"@example.com
            nested: all, staff, :include:team.list
            mixed: nosuchuser, br
            self: \\self, br
            """;

    /** Both ways the queue runner delivers a batch: in turn (batch sync) and in parallel (fsync per file). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"batch", "file"})
    void eachFinalRecipientGetsOneCopy(String maildirSync, @TempDir Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("team.list"), "# team\njs, gw\nbr\n");
        String toml = "[queue]\nmaildir_sync = \"" + maildirSync + "\"\n";
        try (TestServer ts = TestServer.start(dir, toml, USERS, ALIASES); SmtpClient c = ts.greeted()) {
            assertThat(c.command("EHLO client.example.net").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<sender@remote.test>").code()).isEqualTo(250);
            for (String rcpt : new String[] {"<all>", "<staff@example.com>", "<nested>", "<gw>", "<mixed>"}) {
                assertThat(c.command("RCPT TO:" + rcpt).raw()).containsExactly("250 2.1.5 " + rcpt + "... Recipient ok");
            }
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.data("Subject: to the lists\r\n\r\nonce each\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);

            Maildirs m = ts.maildirs();
            for (String u : new String[] {"gw", "tj", "bf", "js"}) {
                assertThat(m.await(u, 1, Duration.ofSeconds(10))).as(u).hasSize(1).allMatch(s -> s.contains("once each"));
            }
            // br's mailbox is the one the users file names
            Maildirs boxes = new Maildirs(dir);
            assertThat(boxes.await("boxes/betsy", 1, Duration.ofSeconds(10))).hasSize(1);
            ts.server().runner().close(); // no late second copy: the queue is drained and stopped
            for (String u : new String[] {"gw", "tj", "bf", "js"}) {
                assertThat(m.messages(u)).as(u).hasSize(1);
            }
            assertThat(boxes.messages("boxes/betsy")).hasSize(1);
            assertThat(m.messages("nosuchuser")).isEmpty();
        }
    }

    @Test
    void aliasListingItselfDeliversToThatUser(@TempDir Path dir) throws Exception {
        String users = USERS + "self:Self Person\n";
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("team.list"), "br\n");
        try (TestServer ts = TestServer.start(dir, "", users, ALIASES); SmtpClient c = ts.greeted()) {
            c.command("HELO client.example.net");
            c.command("MAIL FROM:<sender@remote.test>");
            assertThat(c.command("RCPT TO:<self>").code()).isEqualTo(250);
            c.command("DATA");
            assertThat(c.data("Subject: s\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            assertThat(ts.maildirs().await("self", 1, Duration.ofSeconds(10))).hasSize(1);
            assertThat(new Maildirs(dir).await("boxes/betsy", 1, Duration.ofSeconds(10))).hasSize(1);
        }
    }

    /**
     * Even with program and file targets allowed in the aliases file, Tacit never runs a program or
     * writes a file for them (issue 3): those targets fail permanently, the users on the list get the mail.
     */
    @Test
    void programAndFileTargetsAreNeverRun(@TempDir Path dir) throws Exception {
        Path ran = dir.resolve("program-ran");
        Path written = dir.resolve("file-target");
        String aliases = "runit: \"|/usr/bin/touch " + ran + "\", " + written + ", gw\n";
        try (TestServer ts = TestServer.start(dir, "[directory]\nallow_program_targets = true\nallow_file_targets = true\n", USERS,
                aliases); SmtpClient c = ts.greeted()) {
            c.command("EHLO client.example.net");
            assertThat(c.command("MAIL FROM:<>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<runit>").code()).isEqualTo(250);
            c.command("DATA");
            assertThat(c.data("Subject: p\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            assertThat(ts.maildirs().await("gw", 1, Duration.ofSeconds(10))).hasSize(1);
            for (int i = 0; i < 100 && ts.server().spool().size() > 0; i++) { // bounded: every target gets its final result
                Thread.sleep(50);
            }
            assertThat(ts.server().spool().size()).as("every target final").isZero();
        }
        assertThat(ran).doesNotExist();
        assertThat(written).doesNotExist();
    }
}
