package dev.tacit.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncFsTest {

    @TempDir
    Path dir;

    @Test
    void availableOnLinuxWithTheForeignFunctionApi() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"));
        assumeTrue(Runtime.version().feature() >= 22, "the Foreign Function API is final from Java 22");
        assertThat(SyncFs.available()).isTrue();
    }

    @Test
    void syncsTheFileSystemOfADirectoryAndReportsAMissingOne() throws Exception {
        assumeTrue(SyncFs.available());
        Files.writeString(dir.resolve("f"), "data");
        SyncFs.sync(dir); // returns normally: the call reached the kernel and succeeded
        assertThatThrownBy(() -> SyncFs.sync(dir.resolve("no-such-dir"))).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot open");
    }
}
