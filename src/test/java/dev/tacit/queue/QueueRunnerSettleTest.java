package dev.tacit.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.delivery.MaildirDelivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner writes Maildir files and the settler thread makes them durable and journals them: when
 * the runner is closed in the middle of a queue, everything already in new/ is journalled as
 * delivered and reported once, and everything else is still queued.
 */
class QueueRunnerSettleTest {

    @TempDir
    Path dir;

    private static Envelope env(String login) {
        return new Envelope("s@example.org", "", "client [127.0.0.1]", List.of(login + "@x"),
                List.of(new DeliveryTarget(DeliveryTarget.Kind.LOCAL, login, null, 0)), Instant.now());
    }

    private static long files(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void whatTheRunnerDeliveredIsJournalledWhenItClosesMidway() throws Exception {
        for (int round = 0; round < 10; round++) {
            Path spoolDir = dir.resolve("spool-" + round);
            Path mail = dir.resolve("mail-" + round);
            ConcurrentLinkedQueue<QueueRunner.Outcome> outcomes = new ConcurrentLinkedQueue<>();
            int n = 2000;
            try (Spool spool = Spool.open(spoolDir, true)) {
                QueueRunner runner = new QueueRunner(spool, new MaildirDelivery(MaildirDelivery.Sync.BATCH),
                        t -> mail.resolve(t.value()), new QueueRunner.Settings(Duration.ofSeconds(30), Duration.ofMinutes(5),
                                Duration.ofDays(5), 4, "host"), Clock.systemUTC(), outcomes::add);
                List<QueuedMessage> queued = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Incoming in = spool.begin();
                    in.write(("Subject: " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
                    queued.add(spool.commit(in, env("gw")));
                }
                runner.start(); // queued messages are due at once
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (files(mail.resolve("gw/new")) < n / 4 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                runner.close(); // midway: batches written, handed over, or not yet taken
                assertThat(runner.inFlight()).isZero();
            }
            List<String> inNew;
            try (Stream<Path> s = Files.list(mail.resolve("gw/new"))) {
                inNew = s.map(p -> p.getFileName().toString()).toList();
            }
            assertThat(outcomes).as("round %d", round).hasSize(inNew.size()).allMatch(o -> o.status() == TargetStatus.DELIVERED);
            try (Spool reopened = Spool.open(spoolDir, true)) {
                assertThat(reopened.messages().size() + inNew.size()).as("round %d: delivered + still queued", round).isEqualTo(n);
                for (QueuedMessage m : reopened.messages()) {
                    assertThat(inNew).as("round %d: %s is in new/ but its delivery was not journalled", round, m.queueId)
                            .noneMatch(f -> f.contains(".Q" + m.queueId + "_"));
                }
            }
        }
    }

    @Test
    void bodiesHeldForTheFirstAttemptAreLetGoOnceItIsSettled() throws Exception {
        Path mail = dir.resolve("mail");
        Files.createDirectories(mail);
        Files.writeString(mail.resolve("blocked"), "a file where a Maildir should be");
        ConcurrentLinkedQueue<QueueRunner.Outcome> outcomes = new ConcurrentLinkedQueue<>();
        try (Spool spool = Spool.open(dir.resolve("spool"), true)) {
            QueueRunner runner = new QueueRunner(spool, new MaildirDelivery(MaildirDelivery.Sync.BATCH),
                    t -> mail.resolve(t.value()), new QueueRunner.Settings(Duration.ofSeconds(30), Duration.ofMinutes(5),
                            Duration.ofDays(5), 4, "host"), Clock.systemUTC(), outcomes::add);
            runner.start();
            String body = "Subject: held\r\n\r\n" + "a line of the body\r\n".repeat(5000);
            int n = 40;
            for (int i = 0; i < n; i++) {
                Incoming in = spool.begin();
                in.write(body.getBytes(StandardCharsets.US_ASCII));
                runner.submit(spool.commit(in, env(i % 10 == 0 ? "blocked" : "gw")));
            }
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((outcomes.size() < n || spool.heldBytes() > 0) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(outcomes).hasSize(n);
            assertThat(spool.heldBytes()).as("bodies still held after their attempts were settled").isZero();
            assertThat(spool.size()).as("the deferred ones stay queued").isEqualTo(n / 10);
            try (Stream<Path> files = Files.list(mail.resolve("gw/new"))) {
                for (Path f : files.toList()) {
                    assertThat(Files.readString(f)).endsWith(body.replace("\r\n", "\n"));
                }
            }
            runner.close();
        }
    }
}
