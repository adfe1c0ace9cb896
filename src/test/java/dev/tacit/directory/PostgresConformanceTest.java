package dev.tacit.directory;

import dev.tacit.testing.Postgres;
import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Set;

/**
 * The conformance suite on PostgreSQL: a throwaway cluster, the schema from
 * {@code tacit directory init}, the oracle's users and aliases copied into the tables.
 */
class PostgresConformanceTest extends DirectoryConformanceTest {

    @Override
    TestServer start(Path dir) throws Exception {
        Postgres pg = Postgres.shared();
        FileDirectory data = OracleData.load(dir);
        try (Connection c = pg.connect()) {
            PostgresDirectory.createSchema(c);
            PostgresDirectory.importFrom(c, data.allUsers(), data.allAliases());
        }
        return TestServer.start(dir, OracleData.TOML + "backend = \"postgresql\"\njdbc_url = \"" + pg.jdbcUrl() + "\"\n", null, null);
    }

    /** :include: files belong to the files backend; a database has no such lists. */
    @Override
    Set<String> skipped() {
        return Set.of("d13_expn_include");
    }
}
