package dev.tacit.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.delivery.DsnWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BouncerTest {

    @TempDir
    Path dir;

    private static final Bouncer.Settings SETTINGS = new Bouncer.Settings("mx.example.com", false, false, false);

    private static QueuedMessage original(Spool spool) throws IOException {
        Incoming in = spool.begin();
        in.write("Subject: team news\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
        Envelope env = new Envelope("jqp@example.org", "", "client [127.0.0.1]", List.of("gone@example.com", "team@example.com"),
                List.of(new DeliveryTarget(DeliveryTarget.Kind.LOCAL, "gone", null, 0),
                        new DeliveryTarget(DeliveryTarget.Kind.LOCAL, "ghost", null, 1, "owner-team@example.com")),
                Instant.now());
        return spool.commit(in, env);
    }

    private static Bouncer.Notice failed(String recipient, String returnTo) {
        return new Bouncer.Notice(recipient, "", null, returnTo, DsnWriter.Action.FAILED, "5.1.1", null, null, "user unknown");
    }

    private static DeliveryTarget local(String login) {
        return new DeliveryTarget(DeliveryTarget.Kind.LOCAL, login, null, 0);
    }

    @Test
    void eachReturnAddressGetsItsOwnReport() throws Exception {
        try (Spool spool = Spool.open(dir, true)) {
            QueuedMessage m = original(spool);
            Bouncer b = new Bouncer(spool, SETTINGS, to -> List.of(local(to.substring(0, to.indexOf('@')))), Clock.systemUTC(),
                    (a, q, to, s) -> { });
            List<QueuedMessage> queued = new ArrayList<>();
            b.send(m, List.of(failed("gone@example.com", null), failed("team@example.com", "owner-team@example.com")), queued::add);
            assertThat(queued).extracting(q -> q.envelope().recipients().get(0))
                    .containsExactly("jqp@example.org", "owner-team@example.com");
            assertThat(queued).allSatisfy(q -> assertThat(q.envelope().sender()).as("reports go out with the null sender").isEmpty());
        }
    }

    /** A report queued before another one fails is in the spool: the caller must have it to deliver it now. */
    @Test
    void aReportQueuedBeforeALaterOneFailsIsHandedOverAnyway() throws Exception {
        try (Spool spool = Spool.open(dir, true)) {
            QueuedMessage m = original(spool);
            Bouncer b = new Bouncer(spool, SETTINGS, to -> {
                if (to.startsWith("owner-")) {
                    throw new UncheckedIOException(new IOException("directory unreachable"));
                }
                return List.of(local("jqp"));
            }, Clock.systemUTC(), (a, q, to, s) -> { });
            List<QueuedMessage> queued = new ArrayList<>();
            assertThatThrownBy(() -> b.send(m,
                    List.of(failed("gone@example.com", null), failed("team@example.com", "owner-team@example.com")), queued::add))
                    .isInstanceOf(UncheckedIOException.class);
            assertThat(queued).hasSize(1);
            QueuedMessage report = queued.get(0);
            assertThat(report.envelope().recipients()).containsExactly("jqp@example.org");
            assertThat(spool.get(report.queueId())).as("the spool holds it").isSameAs(report);
        }
    }
}
