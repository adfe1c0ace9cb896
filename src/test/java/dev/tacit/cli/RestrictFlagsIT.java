package dev.tacit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import dev.tacit.testing.TacitProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * restrictmailq and restrictqrun govern Tacit's nearest equivalents: `tacit mailq` and `tacit runq`
 * work for the data folder's owner (and root) and are refused for anyone else, here user nobody.
 */
class RestrictFlagsIT {

    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) || External.ci(), "needs root to switch users");
        External.require("runuser");
        dir = Files.createTempDirectory(Path.of("/tmp"), "tacit-restrict", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createDirectories(dir.resolve("spool/journal"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private TacitProcess.Result as(String user, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.addAll(List.of(TacitProcess.java(), "-jar", TacitProcess.jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new TacitProcess.Result(p.exitValue(), out);
    }

    @Test
    void onlyTheOwnerMayListOrRunTheQueueWhenRestricted() throws Exception {
        Files.writeString(dir.resolve("tacit.toml"), "data_dir = \".\"\nprivacy_options = \"goaway,restrictmailq,restrictqrun,restrictexpand\"\n");
        Files.writeString(dir.resolve("users"), "gw:George Washington\n");
        Files.writeString(dir.resolve("aliases"), "all: gw\n");
        assertThat(as(null, "mailq", "--data-dir", dir.toString()).output()).contains("Mail queue is empty");
        TacitProcess.Result mailq = as("nobody", "mailq", "--data-dir", dir.toString());
        assertThat(mailq.exit()).isEqualTo(1);
        assertThat(mailq.output()).contains("tacit: permission denied: restrictmailq is set; only root (the owner of " + dir);
        TacitProcess.Result runq = as("nobody", "runq", "--data-dir", dir.toString());
        assertThat(runq.exit()).isEqualTo(1);
        assertThat(runq.output()).contains("permission denied: restrictqrun is set");
        assertThat(as(null, "runq", "--data-dir", dir.toString()).exit()).isZero();
        TacitProcess.Result expand = as("nobody", "expand", "--config", dir.resolve("tacit.toml").toString(), "all");
        assertThat(expand.exit()).isEqualTo(1);
        assertThat(expand.output()).contains("permission denied: restrictexpand is set");
        TacitProcess.Result mine = as(null, "expand", "--config", dir.resolve("tacit.toml").toString(), "all");
        assertThat(mine.exit()).as(mine.output()).isZero();
        assertThat(mine.output()).contains("gw");
        assertThat(dir.resolve("spool/runq")).exists();
    }

    @Test
    void withoutTheFlagsOthersMayListTheQueue() throws Exception {
        Files.writeString(dir.resolve("tacit.toml"), "data_dir = \".\"\nprivacy_options = \"goaway\"\n");
        TacitProcess.Result mailq = as("nobody", "mailq", "--data-dir", dir.toString());
        assertThat(mailq.exit()).as(mailq.output()).isZero();
        assertThat(mailq.output()).contains("Mail queue is empty");
    }
}
