package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sendmail's owner- rule: a list member that does not exist is reported to the list's owner-NAME
 * when there is one (and the members get the message with owner-NAME as envelope sender), else to
 * the envelope sender; the list is accepted at RCPT either way, and the good members get the mail.
 */
class ListOwnerBounceTest {

    static final String ALIASES = TestServer.ALIASES + """
            team: gw, ghost
            owner-team: tj
            crew: bf, phantom
            """;

    @TempDir
    Path dir;

    @Test
    void anUnknownMemberIsReportedToTheListOwnerOrElseTheSender() throws Exception {
        try (TestServer ts = TestServer.start(dir, """
                [queue]
                fsync = false
                """, TestServer.USERS, ALIASES)) {
            Mail.send(ts, "<jqp@example.com>", List.of("team@example.com"), Mail.body("team news", "hello team"));
            String gwCopy = ts.maildirs().await("gw", 1, Duration.ofSeconds(10)).get(0);
            assertThat(gwCopy).startsWith("Return-Path: <owner-team@mail.example.com>\n").contains("Subject: team news");
            Mail.Report r = Mail.report(ts.maildirs().await("tj", 1, Duration.ofSeconds(10)).get(0));
            assertThat(r.message().getHeader("To")[0]).isEqualTo("<owner-team@mail.example.com>");
            assertThat(r.field(0, "Final-Recipient")).isEqualTo("rfc822; team@example.com");
            assertThat(r.field(0, "X-Actual-Recipient")).isEqualTo("rfc822; ghost");
            assertThat(r.field(0, "Status")).isEqualTo("5.1.1");
            assertThat(r.field(0, "Diagnostic-Code")).isEqualTo("smtp; 550 5.1.1 ghost... User unknown");

            // crew has no owner: the sender hears about phantom
            Mail.send(ts, "<jqp@example.com>", List.of("crew@example.com"), Mail.body("crew news", "hello crew"));
            assertThat(ts.maildirs().await("bf", 1, Duration.ofSeconds(10)).get(0)).startsWith("Return-Path: <jqp@example.com>\n");
            Mail.Report r2 = Mail.report(ts.maildirs().await("jqp", 1, Duration.ofSeconds(10)).get(0));
            assertThat(r2.field(0, "X-Actual-Recipient")).isEqualTo("rfc822; phantom");
            Mail.drained(ts, Duration.ofSeconds(10));
            assertThat(ts.maildirs().messages("jqp")).hasSize(1);
            assertThat(ts.maildirs().messages("tj")).hasSize(1);
        }
    }
}
