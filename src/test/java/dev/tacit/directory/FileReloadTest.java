package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tacit.smtp.SmtpClient;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A running server picks up edited users, aliases and included files; a broken edit is refused with
 * its file and line in the log while the previous data keeps answering.
 */
class FileReloadTest {

    private static void replace(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static <T> T await(Callable<T> probe, java.util.function.Predicate<T> done) throws Exception {
        T v = probe.call();
        for (int i = 0; i < 100 && !done.test(v); i++) { // bounded: 10 s
            Thread.sleep(100);
            v = probe.call();
        }
        return v;
    }

    @Test
    void editsAreReloadedAndBrokenOnesRefused(@TempDir Path dir) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ReloadingFileDirectory.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("team"), "bf\n");
        String toml = OracleData.SENDMAIL_ANSWERS + "[directory]\nreload_interval = \"100ms\"\n";
        try (TestServer ts = TestServer.start(dir, toml, "gw:George Washington\nbf:Ben Franklin\n", "all: gw\nteam: :include:team\n");
                SmtpClient c = ts.greeted()) {
            c.command("HELO client.example.net");
            assertThat(c.command("VRFY tj").raw()).containsExactly("550 5.1.1 tj... User unknown");

            Directory d = ts.server().directory();
            replace(dir.resolve("users"), "gw:George Washington\nbf:Ben Franklin\ntj:Thomas Jefferson\n");
            replace(dir.resolve("aliases"), "all: gw, tj\nteam: :include:team\n");
            // poll the directory, not SMTP: sendmail's VRFY/EXPN slow-down starts at the sixth
            await(() -> d.alias("all").orElseThrow().targets().size(), n -> n == 2);
            assertThat(c.command("EXPN all").raw()).containsExactly(
                    "250-2.1.5 Thomas Jefferson <tj@mail.example.com>", "250 2.1.5 George Washington <gw@mail.example.com>");

            ReloadingFileDirectory files = (ReloadingFileDirectory) d;
            replace(dir.resolve("aliases"), "all gw\nteam: :include:team\n");
            assertThat(await(files::lastErrors, e -> !e.isEmpty())).extracting(FileError::toString)
                    .containsExactly(dir.resolve("aliases") + ":1: missing colon");
            assertThat(c.command("EXPN all").raw()).hasSize(2); // the old data still answers
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                    .contains(dir.resolve("aliases") + ":1: missing colon");

            replace(dir.resolve("aliases"), "all: gw, tj, bf\nteam: :include:team\n");
            await(() -> d.alias("all").orElseThrow().targets().size(), n -> n == 3);
            assertThat(c.command("EXPN all").raw()).hasSize(3);
            assertThat(files.lastErrors()).isEmpty();

            // an included file is watched too
            replace(dir.resolve("team"), "bf\ngw\n");
            await(() -> d.include(dir.resolve("team").toString()).orElseThrow().size(), n -> n == 2);
            assertThat(c.command("EXPN team").raw()).containsExactly(
                    "250-2.1.5 Ben Franklin <bf@mail.example.com>", "250 2.1.5 George Washington <gw@mail.example.com>");
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void aBrokenFileStopsStartUpWithEveryError(@TempDir Path dir) throws Exception {
        try {
            TestServer.start(dir, "", "gw:George\nbad line\n", "all: gw\nx y z\n").close();
            throw new AssertionError("started with broken files");
        } catch (ReloadingFileDirectory.DirectoryFileException e) {
            assertThat(e.errors()).extracting(FileError::toString).containsExactly(
                    dir.resolve("users") + ":2: expected login:Full Name[:mailbox] or a passwd(5) line of 7 fields, found 1 field",
                    dir.resolve("aliases") + ":2: missing colon");
            assertThat(e.getMessage().lines().toList()).hasSize(2);
        }
    }
}
