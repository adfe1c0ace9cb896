package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class MaildirDeliveryTest {

    @TempDir
    Path dir;

    private static final String BODY = "Subject: hi\r\n\r\nline one\r\nline two\r\n";
    private static final String EXPECTED = "Return-Path: <a@example.org>\nDelivered-To: gw@example.com\n"
            + "Subject: hi\n\nline one\nline two\n";

    private static DeliveryResult deliver(MaildirDelivery md, Path maildir, String name, boolean recovered) {
        return md.deliver(maildir, name, "a@example.org", "gw@example.com",
                new ByteArrayInputStream(BODY.getBytes(StandardCharsets.US_ASCII)), recovered);
    }

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MaildirDelivery.Sync.class, names = {"FILE", "BATCH"})
    void aBatchLandsInNewAndIsSynced(MaildirDelivery.Sync mode) throws Exception {
        MaildirDelivery md = new MaildirDelivery(mode);
        Path gw = dir.resolve("gw");
        Path tj = dir.resolve("tj");
        DeliveryResult a = deliver(md, gw, "1.Qa_0.host", false);
        DeliveryResult b = deliver(md, tj, "1.Qb_0.host", false);
        assertThat(a).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(b).isInstanceOf(DeliveryResult.Delivered.class);
        md.syncBatch(List.of(((DeliveryResult.Delivered) a).syncDir(), ((DeliveryResult.Delivered) b).syncDir()));
        assertThat(Files.readString(gw.resolve("new/1.Qa_0.host"))).isEqualTo(EXPECTED);
        assertThat(Files.readString(tj.resolve("new/1.Qb_0.host"))).isEqualTo(EXPECTED);
        assertThat(files(gw.resolve("tmp"))).isEmpty();
        assertThatThrownBy(() -> md.syncBatch(List.of(dir.resolve("gone/new")))).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @EnumSource(value = MaildirDelivery.Sync.class, names = {"FILE", "BATCH"})
    void aRedeliveryAfterACrashRewritesACopyLeftInNewWithoutItsData(MaildirDelivery.Sync mode) throws Exception {
        MaildirDelivery md = new MaildirDelivery(mode);
        Path gw = dir.resolve("gw");
        deliver(md, gw, "1.Qa_0.host", false);
        // what a crash between the rename and the sync can leave: the name, not the data
        Files.writeString(gw.resolve("new/1.Qa_0.host"), "");
        assertThat(deliver(md, gw, "1.Qa_0.host", true)).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(files(gw.resolve("new"))).hasSize(1);
        assertThat(Files.readString(gw.resolve("new/1.Qa_0.host"))).isEqualTo(EXPECTED);
    }

    @ParameterizedTest
    @EnumSource(value = MaildirDelivery.Sync.class, names = {"FILE", "BATCH"})
    void aCopyTheReaderAlreadyTookIsNotDeliveredAgain(MaildirDelivery.Sync mode) throws Exception {
        MaildirDelivery md = new MaildirDelivery(mode);
        Path gw = dir.resolve("gw");
        deliver(md, gw, "1.Qa_0.host", false);
        Files.move(gw.resolve("new/1.Qa_0.host"), gw.resolve("cur/1.Qa_0.host:2,S"));
        DeliveryResult r = deliver(md, gw, "1.Qa_0.host", true);
        assertThat(((DeliveryResult.Delivered) r).detail()).contains("already delivered");
        assertThat(files(gw.resolve("new"))).isEmpty();
        assertThat(files(gw.resolve("cur"))).hasSize(1);
    }

    /** A mailbox that is a link to nowhere (a missing mount) is retried later, never taken as delivered. */
    @org.junit.jupiter.api.Test
    void aMailboxLinkToNowhereIsATemporaryFailure(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path gw = dir.resolve("gw");
        Files.createSymbolicLink(gw, dir.resolve("missing-mount/gw"));
        DeliveryResult r = deliver(new MaildirDelivery(MaildirDelivery.Sync.NONE), gw, "1.Qa_0.host", false);
        assertThat(r).isInstanceOf(DeliveryResult.Temporary.class);
        assertThat(((DeliveryResult.Temporary) r).reason()).contains("not a directory");
    }

    /** Folders are not looked for on every delivery; a missing one is made when a write finds it gone. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "new", "tmp", "cur"})
    void aMissingFolderIsMadeAgain(String removed, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        MaildirDelivery md = new MaildirDelivery(MaildirDelivery.Sync.NONE);
        Path gw = dir.resolve("gw");
        assertThat(deliver(md, gw, "1.Qa_0.host", false)).isInstanceOf(DeliveryResult.Delivered.class);
        Path gone = removed.isEmpty() ? gw : gw.resolve(removed);
        try (Stream<Path> walk = Files.walk(gone)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        assertThat(deliver(md, gw, "2.Qb_0.host", false)).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(gw.resolve("new/2.Qb_0.host")).exists();
        for (String f : new String[] {"tmp", "new", "cur"}) {
            if (f.equals("cur") && removed.equals("cur")) {
                continue; // checked at this process's first delivery; a lone cur/ removed later waits for a miss or a restart
            }
            assertThat(gw.resolve(f)).as(f).isDirectory();
        }
        assertThat(files(gw.resolve("tmp"))).isEmpty();
    }

    /** A Maildir made by another tool without cur/, or one whose cur/ went while Tacit was stopped. */
    @org.junit.jupiter.api.Test
    void aMissingCurIsMadeAtTheFirstDeliveryOfAProcess(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path gw = dir.resolve("gw");
        Files.createDirectories(gw.resolve("tmp"));
        Files.createDirectories(gw.resolve("new"));
        assertThat(deliver(new MaildirDelivery(MaildirDelivery.Sync.NONE), gw, "1.Qa_0.host", false))
                .isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(gw.resolve("cur")).isDirectory();
        Files.delete(gw.resolve("cur"));
        assertThat(deliver(new MaildirDelivery(MaildirDelivery.Sync.NONE), gw, "2.Qb_0.host", false))
                .isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(gw.resolve("cur")).as("made again after a restart").isDirectory();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 7, 512, 65536})
    void lineEndsBecomeLfWhateverTheBufferSize(int buffer) throws Exception {
        String in = "a\r\nb\rc\r\r\nd\n\r\n\r";
        var out = new java.io.ByteArrayOutputStream();
        MaildirDelivery.copyCrlfToLf(new ByteArrayInputStream(in.getBytes(StandardCharsets.US_ASCII)), out, buffer);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("a\nb\rc\r\nd\n\n\r");
    }

    @org.junit.jupiter.api.Test
    void lineEndsMatchAPlainModelOnRandomBodies() throws Exception {
        java.util.Random rnd = new java.util.Random(20261122);
        byte[] alphabet = {'\r', '\n', 'x', '.', ' '};
        for (int round = 0; round < 2000; round++) {
            byte[] body = new byte[rnd.nextInt(300)];
            for (int k = 0; k < body.length; k++) {
                body[k] = alphabet[rnd.nextInt(alphabet.length)];
            }
            int buffer = 1 + rnd.nextInt(64);
            var out = new java.io.ByteArrayOutputStream();
            MaildirDelivery.copyCrlfToLf(new ByteArrayInputStream(body), out, buffer);
            String model = new String(body, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).as("round %d, buffer %d", round, buffer).isEqualTo(model);
        }
    }

    /** Long runs without a CR, as in real bodies: the copy skips them eight bytes at a time. */
    @org.junit.jupiter.api.Test
    void lineEndsMatchAPlainModelOnBodiesWithLongLines() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        for (int round = 0; round < 500; round++) {
            byte[] body = new byte[rnd.nextInt(5000)];
            for (int k = 0; k < body.length; k++) {
                int p = rnd.nextInt(100);
                body[k] = (byte) (p < 2 ? '\r' : p < 4 ? '\n' : p < 5 ? 0x8d : 'a' + p % 26);
            }
            int buffer = 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 4096);
            var out = new java.io.ByteArrayOutputStream();
            MaildirDelivery.copyCrlfToLf(new ByteArrayInputStream(body), out, buffer);
            String model = new String(body, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).as("round %d, buffer %d", round, buffer).isEqualTo(model);
        }
    }
}
