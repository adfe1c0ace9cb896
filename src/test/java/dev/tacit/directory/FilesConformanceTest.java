package dev.tacit.directory;

import dev.tacit.testing.TestServer;
import java.nio.file.Path;

/** The conformance suite on the files backend (users in passwd(5) format, sendmail's aliases file). */
class FilesConformanceTest extends DirectoryConformanceTest {

    @Override
    TestServer start(Path dir) throws Exception {
        return TestServer.start(dir, OracleData.TOML, null, null);
    }
}
