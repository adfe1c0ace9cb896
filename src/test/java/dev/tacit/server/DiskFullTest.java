package dev.tacit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.Maildirs;
import dev.tacit.testing.SmallDisk;
import dev.tacit.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full disks, made real with two small tmpfs mounts (the test mounts them as root and unmounts them):
 * one holds the data folder (spool), the other gw's Maildir.
 * <ul>
 *   <li>Maildir disk full: messages are still accepted (the spool has room), their delivery is
 *       deferred and retried, no partial file is left in tmp/;</li>
 *   <li>spool disk full as well: a message, small (journal) or large (its own body file), is answered
 *       {@code 452 4.3.1 Insufficient system storage}; the session and the server go on;</li>
 *   <li>space back: every message that got a 250 is delivered exactly once, and new mail flows.</li>
 * </ul>
 */
class DiskFullTest {

    private static final Pattern X_ID = Pattern.compile("X-Id: (\\S+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void fullDisksDeferOrAnswer452AndLoseNothing() throws Exception {
        try (SmallDisk spool = SmallDisk.mount(dir.resolve("spool-disk"), 4 << 20);
                SmallDisk mail = SmallDisk.mount(dir.resolve("mail-disk"), 1 << 20)) {
            Path gwBox = mail.path().resolve("gw");
            String users = TestServer.USERS.replace("gw:George Washington", "gw:George Washington:" + gwBox);
            List<String> acked = new ArrayList<>();
            try (TestServer ts = TestServer.start(spool.path().resolve("data"), """
                    [log]
                    stdout = false
                    [queue]
                    retry_initial = "200ms"
                    retry_max = "500ms"
                    """, users, TestServer.ALIASES)) {
                Maildirs gw = new Maildirs(mail.path());
                assertThat(send(ts, "m0", 1).code()).isEqualTo(250);
                acked.add("m0");
                gw.await("gw", 1, Duration.ofSeconds(10));

                // the Maildir's disk is full: accepted, deferred, retried; nothing half-written stays behind
                mail.fill();
                for (String id : List.of("m1", "m2", "m3")) {
                    assertThat(send(ts, id, 1).raw()).singleElement().asString().startsWith("250 2.0.0 ");
                    acked.add(id);
                }
                Thread.sleep(1500);
                assertThat(gw.messages("gw")).hasSize(1);
                assertThat(ts.server().spool().size()).isEqualTo(3);
                try (Stream<Path> tmp = Files.list(gwBox.resolve("tmp"))) {
                    assertThat(tmp).as("partial deliveries left in tmp/").isEmpty();
                }

                // the spool's disk is full too: 452 4.3.1, for the journal and for a body file
                spool.fill();
                List<String> refused = new ArrayList<>();
                try (SmtpClient c = ts.greeted()) {
                    c.command("EHLO full.example.net");
                    // 100 KB bodies stay inline in the journal; its zero-filled 1 MB ahead takes a few of them
                    for (int i = 0; i < 40 && refused.isEmpty(); i++) {
                        SmtpClient.Response r = transaction(c, "s" + i, 100 * 1024);
                        if (r.code() == 250) {
                            acked.add("s" + i); // the journal's preallocated tail still had room
                        } else {
                            refused.add(String.join("\n", r.raw()));
                        }
                    }
                    SmtpClient.Response big = transaction(c, "big", 300 * 1024);
                    if (big.code() != 250) {
                        refused.add(String.join("\n", big.raw()));
                    } else {
                        acked.add("big");
                    }
                    assertThat(c.command("NOOP").code()).isEqualTo(250);
                }
                assertThat(refused).hasSizeGreaterThanOrEqualTo(2).allMatch(r -> r.equals("452 4.3.1 Insufficient system storage"));
                try (SmtpClient c = ts.greeted()) {
                    assertThat(c.command("EHLO again.example.net").code()).isEqualTo(250);
                }

                // space again: everything acknowledged arrives, once
                spool.free();
                mail.free();
                List<String> got = gw.await("gw", acked.size(), Duration.ofSeconds(30));
                Thread.sleep(500); // a duplicate would show up now
                got = gw.contents("gw");
                Map<String, Integer> count = new HashMap<>();
                for (String m : got) {
                    Matcher x = X_ID.matcher(m);
                    assertThat(x.find()).isTrue();
                    count.merge(x.group(1), 1, Integer::sum);
                }
                assertThat(count.keySet()).containsExactlyInAnyOrderElementsOf(acked);
                assertThat(count.values()).allMatch(n -> n == 1);
                assertThat(send(ts, "after", 1).code()).isEqualTo(250);
                gw.await("gw", acked.size() + 1, Duration.ofSeconds(10));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ts.server().spool().size() > 0 && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertThat(ts.server().spool().size()).isZero();
                System.out.printf("disk full: %d messages acknowledged and delivered once, %d refused with 452 4.3.1%n",
                        acked.size(), refused.size());
            }
        }
    }

    private static SmtpClient.Response send(TestServer ts, String id, int size) throws Exception {
        try (SmtpClient c = ts.greeted()) {
            c.command("EHLO disk.example.net");
            return transaction(c, id, size);
        }
    }

    private static SmtpClient.Response transaction(SmtpClient c, String id, int size) throws Exception {
        assertThat(c.command("MAIL FROM:<disk@example.org>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<gw@example.com>").code()).isEqualTo(250);
        assertThat(c.command("DATA").code()).isEqualTo(354);
        StringBuilder body = new StringBuilder("Subject: " + id + "\r\nX-Id: " + id + "\r\n\r\n");
        while (body.length() < size) {
            body.append("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n");
        }
        return c.data(body.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
