package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.Scenario;
import dev.tacit.testing.Transcripts;
import dev.tacit.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite: every scenario recorded from real sendmail 8.17 by the directory oracle
 * (src/test/resources/oracle-directory, record.sh) replayed over SMTP against Tacit with the same
 * users and aliases, and compared line by line after replay.py's normalisation. Each backend
 * subclass loads the same data into its store; all must give sendmail's answers, hence each other's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DirectoryConformanceTest {

    @TempDir
    static Path dir;

    TestServer server;

    /** Starts Tacit on the oracle's data (already written into dir) with this backend. */
    abstract TestServer start(Path dir) throws Exception;

    /** Scenarios this backend cannot run, with the reason in the subclass. */
    Set<String> skipped() {
        return Set.of();
    }

    @BeforeAll
    void startServer() throws Exception {
        OracleData.write(dir);
        server = start(dir);
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> sameAnswersAsSendmail() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> names;
        try (Stream<Path> files = Files.list(OracleData.SCENARIOS)) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".scn"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        }
        for (String name : names) {
            Path recorded = OracleData.TRANSCRIPTS.resolve(name + ".txt");
            if (skipped().contains(name) || !Files.exists(recorded)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(name, () -> {
                List<String> actual = Transcripts.normalize(Scenario.run(OracleData.SCENARIOS.resolve(name + ".scn"), "127.0.0.1",
                        server.port()), false);
                List<String> expected = Transcripts.normalize(Files.readAllLines(recorded), false);
                assertThat(Transcripts.diff(expected, actual)).as("%s differs from sendmail (- sendmail, + Tacit)", name).isEmpty();
            }));
        }
        assertThat(tests).hasSizeGreaterThan(10);
        return tests.stream();
    }
}
