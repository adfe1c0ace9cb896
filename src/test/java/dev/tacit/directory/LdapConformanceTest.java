package dev.tacit.directory;

import dev.tacit.testing.TestServer;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * The conformance suite on LDAP: UnboundID's in-memory server on loopback, the oracle's users as
 * inetOrgPerson entries and its aliases as groupOfNames (member DNs) or nisMailAlias
 * (rfc822MailMember) groups.
 */
class LdapConformanceTest extends DirectoryConformanceTest {

    private LdapFixture ldap;

    @Override
    TestServer start(Path dir) throws Exception {
        ldap = new LdapFixture();
        FileDirectory data = OracleData.load(dir);
        ldap.load(data.allUsers(), data.allAliases());
        return TestServer.start(dir, OracleData.TOML + ldap.toml(), null, null);
    }

    @AfterAll
    void stopLdap() {
        if (ldap != null) {
            ldap.close();
        }
    }

    /** :include: files belong to the files backend; a directory server has no such lists. */
    @Override
    Set<String> skipped() {
        return Set.of("d13_expn_include");
    }
}
