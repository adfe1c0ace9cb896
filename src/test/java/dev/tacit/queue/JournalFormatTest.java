package dev.tacit.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal format versions: a segment written by version 1 (before outbound delivery; the committed
 * fixture was written by that code) is still read, and version 2's DSN data (per-recipient NOTIFY and
 * ORCPT, per-target list owner) survives a restart. Version 3 seals records with their segment's
 * number (for segment reuse): an unsealed segment beside sealed ones is read as written, and never
 * reused.
 */
class JournalFormatTest {

    @TempDir
    Path dir;

    @Test
    void aVersionOneJournalIsStillRead() throws Exception {
        Files.createDirectories(dir.resolve("journal"));
        try (InputStream in = JournalFormatTest.class.getResourceAsStream("journal-v1.log")) {
            Files.copy(in, dir.resolve("journal/0000000000000001.log"));
        }
        try (Spool s = Spool.open(dir, false)) {
            assertThat(s.size()).isEqualTo(1);
            QueuedMessage m = s.messages().get(0);
            Envelope e = m.envelope();
            assertThat(e.sender()).isEqualTo("old@example.org");
            assertThat(e.params()).isEqualTo("BODY=8BITMIME");
            assertThat(e.recipients()).containsExactly("gw@mail.example.com", "friend@example.net");
            assertThat(e.rcptParams()).containsExactly("", "");
            assertThat(e.targets()).containsExactly(
                    new DeliveryTarget(DeliveryTarget.Kind.LOCAL, "gw", null, 0, null),
                    new DeliveryTarget(DeliveryTarget.Kind.REMOTE, "friend@example.net", null, 1, null));
            assertThat(e.arrival()).isEqualTo(Instant.parse("2026-11-01T10:00:00Z"));
            assertThat(m.status(0)).isEqualTo(TargetStatus.DELIVERED);
            assertThat(m.pendingTargets()).containsExactly(1);
            try (InputStream body = s.openBody(m)) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("written by the v1 journal format");
            }
        }
    }

    @Test
    void aVersionOneSegmentIsReadBesideSealedOnesAndDeletedRatherThanReused() throws Exception {
        Files.createDirectories(dir.resolve("journal"));
        try (InputStream in = JournalFormatTest.class.getResourceAsStream("journal-v1.log")) {
            Files.copy(in, dir.resolve("journal/0000000000000001.log"));
        }
        String added;
        try (Spool s = Spool.open(dir, true)) {
            Incoming in = s.begin();
            in.write("Subject: sealed\r\n\r\nnew\r\n".getBytes(StandardCharsets.UTF_8));
            added = s.commit(in, new Envelope("s@example.org", "", "client [127.0.0.1]", List.of("gw@x"),
                    List.of(new DeliveryTarget(DeliveryTarget.Kind.LOCAL, "gw", null, 0)), Instant.now())).queueId();
        }
        try (Spool s = Spool.open(dir, true)) {
            assertThat(s.size()).as("the v1 message and the sealed one").isEqualTo(2);
            assertThat(s.get(added)).isNotNull();
            QueuedMessage old = s.messages().stream().filter(m -> !m.queueId().equals(added)).findFirst().orElseThrow();
            s.recordResults(List.of(new Spool.Result(old.queueId(), 1, TargetStatus.DELIVERED, 1, 0, null)));
            s.complete(old);
            assertThat(Files.exists(dir.resolve("journal/0000000000000001.log"))).isFalse();
            try (var files = Files.list(dir.resolve("journal"))) {
                assertThat(files.map(f -> f.getFileName().toString()).toList()).as("not kept for reuse").noneMatch(n -> n.startsWith("reuse-"));
            }
        }
    }

    @Test
    void dsnParametersAndListOwnersSurviveARestart() throws Exception {
        String qid;
        try (Spool s = Spool.open(dir, true)) {
            Incoming in = s.begin();
            in.write("Subject: v2\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8));
            Envelope env = new Envelope("gw@example.com", "RET=HDRS ENVID=x+2By", "c [127.0.0.1]", List.of("team@example.com", "a@example.net"),
                    List.of(new DeliveryTarget(DeliveryTarget.Kind.LOCAL, "tj", null, 0, "owner-team@mail.example.com"),
                            new DeliveryTarget(DeliveryTarget.Kind.REMOTE, "a@example.net", null, 1, null)),
                    Instant.now(), List.of("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;team@example.com", "NOTIFY=NEVER"));
            qid = s.commit(in, env).queueId();
        }
        try (Spool s = Spool.open(dir, true)) {
            Envelope e = s.get(qid).envelope();
            assertThat(e.params()).isEqualTo("RET=HDRS ENVID=x+2By");
            assertThat(e.rcptParams()).containsExactly("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;team@example.com", "NOTIFY=NEVER");
            assertThat(e.targets().get(0).errorsTo()).isEqualTo("owner-team@mail.example.com");
            assertThat(e.targets().get(0).returnPath(e)).isEqualTo("owner-team@mail.example.com");
            assertThat(e.targets().get(1).returnPath(e)).isEqualTo("gw@example.com");
        }
        // tacit mailq reads the same records without a server
        assertThat(Spool.list(dir)).singleElement().satisfies(i -> assertThat(i.recipients()).hasSize(2));
    }
}
