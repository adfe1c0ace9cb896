package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The LDAP backend against a real LDAP server on loopback: members named by DNs of any shape,
 * nested groups, rfc822MailMember addresses, user filters that match mail addresses or cn (as the
 * login, or beside uid), escaping of probed names, batch lookups, and an outage that is reported as
 * one (then recovered from).
 */
class LdapDirectoryTest {

    private static final String BASE = LdapFixture.BASE;

    private static LdapDirectory.Settings settings(int port, String userFilter) {
        return new LdapDirectory.Settings("ldap://127.0.0.1:" + port, null, null, BASE, userFilter, "uid", "cn",
                "(&(|(objectClass=groupOfNames)(objectClass=nisMailAlias))(cn={0}))", List.of("member", "rfc822MailMember"), 2,
                Duration.ofSeconds(1));
    }

    private static void fill(LdapFixture f) throws Exception {
        f.server.addEntries(
                new Entry("cn=George Washington,ou=people," + BASE, new Attribute("objectClass", "inetOrgPerson"),
                        new Attribute("uid", "gw"), new Attribute("cn", "George Washington"), new Attribute("sn", "Washington"),
                        new Attribute("mail", "george.washington@example.com")),
                LdapFixture.userEntry(new User("tj", "Thomas Jefferson", null)),
                new Entry("cn=founders,ou=groups," + BASE, new Attribute("objectClass", "groupOfNames"), new Attribute("cn", "founders"),
                        new Attribute("member", "cn=George Washington,ou=people," + BASE, "uid=tj,ou=people," + BASE,
                                "cn=friends,ou=groups," + BASE, "uid=gone,ou=people," + BASE)),
                new Entry("cn=friends,ou=groups," + BASE, new Attribute("objectClass", "nisMailAlias"), new Attribute("cn", "friends"),
                        new Attribute("rfc822MailMember", "ally@remote.test", "tj")));
    }

    @Test
    void membersOfEveryShape() throws Exception {
        try (LdapFixture f = new LdapFixture(); LdapDirectory d = LdapDirectory.open(settings(f.port(), "(&(objectClass=inetOrgPerson)(uid={0}))"))) {
            fill(f);
            assertThat(d.user("gw")).contains(new User("gw", "George Washington", null));
            assertThat(d.user("GW")).as("uid matches without regard to case").isPresent();
            // the DN of a user whose RDN is not uid, a uid DN, a group DN; a uid DN is taken at its word,
            // so a member who has left is an unknown name, as in an aliases file
            assertThat(d.alias("founders").orElseThrow().targets()).containsExactly("gw", "tj", "friends", "gone");
            assertThat(d.alias("friends").orElseThrow().targets()).containsExactly("ally@remote.test", "tj");
            Expander expander = new Expander(d, FileDirectoryTest.DOMAINS);
            assertThat(expander.run("founders", Expander.Mode.EXPAND).firstError()).isEqualTo(new Expansion.Problem.Unknown("gone"));
            Expansion x = expander.run("founders", Expander.Mode.DELIVER);
            assertThat(x.entries()).extracting(Expansion.Entry::user).containsExactly("tj", "gw", "ally@remote.test");
            assertThat(d.users(List.of("gw", "tj", "nobody"))).containsOnlyKeys("gw", "tj");
            assertThat(d.aliases(List.of("founders", "gw"))).containsOnlyKeys("founders");
        }
    }

    @Test
    void filtersCanMatchMailAndEscapeProbes() throws Exception {
        try (LdapFixture f = new LdapFixture();
                LdapDirectory d = LdapDirectory.open(settings(f.port(), "(|(uid={0})(mail={0}@example.com))"))) {
            fill(f);
            assertThat(d.user("george.washington").orElseThrow().login()).isEqualTo("gw");
            assertThat(d.users(List.of("george.washington", "tj"))).containsOnlyKeys("george.washington", "tj");
            assertThat(d.user("*")).isEmpty();
            assertThat(d.user("gw)(uid=*")).isEmpty();
            Map<String, User> none = d.users(List.of("*", "x)(uid=*"));
            assertThat(none).isEmpty();
        }
    }

    @Test
    void userFilterCanMatchCn() throws Exception {
        // a site whose accounts carry the login in cn (posixAccount style, cn=jdoe) and the full name in displayName
        try (LdapFixture f = new LdapFixture()) {
            fill(f);
            f.server.addEntries(
                    new Entry("cn=jdoe,ou=people," + BASE, new Attribute("objectClass", "inetOrgPerson"), new Attribute("cn", "jdoe"),
                            new Attribute("sn", "Doe"), new Attribute("displayName", "Jane Doe")),
                    new Entry("cn=staff,ou=groups," + BASE, new Attribute("objectClass", "groupOfNames"), new Attribute("cn", "staff"),
                            new Attribute("member", "cn=jdoe,ou=people," + BASE)));
            LdapDirectory.Settings byCn = new LdapDirectory.Settings("ldap://127.0.0.1:" + f.port(), null, null, BASE,
                    "(&(objectClass=inetOrgPerson)(cn={0}))", "cn", "displayName",
                    "(&(|(objectClass=groupOfNames)(objectClass=nisMailAlias))(cn={0}))", List.of("member", "rfc822MailMember"), 2,
                    Duration.ofSeconds(1));
            try (LdapDirectory d = LdapDirectory.open(byCn)) {
                assertThat(d.user("jdoe")).contains(new User("jdoe", "Jane Doe", null));
                assertThat(d.user("JDoe")).as("cn matches without regard to case").isPresent();
                // uid is not in this filter: gw (uid gw, cn "George Washington") is not found by his uid
                assertThat(d.user("gw")).isEmpty();
                assertThat(d.user("j*")).as("a probed wildcard is a value, not a pattern").isEmpty();
                assertThat(d.users(List.of("JDOE", "gw", "nobody"))).containsOnlyKeys("JDOE");
                // a member DN named by cn is that user's login
                assertThat(d.alias("staff").orElseThrow().targets()).containsExactly("jdoe");
                Expander x = new Expander(d, FileDirectoryTest.DOMAINS);
                assertThat(x.run("staff", Expander.Mode.EXPAND).entries()).extracting(Expansion.Entry::user).containsExactly("jdoe");
                assertThat(x.run("jdoe@example.com", Expander.Mode.VERIFY).entries()).extracting(Expansion.Entry::user)
                        .containsExactly("jdoe");
                assertThat(x.run("gw", Expander.Mode.VERIFY).firstError()).isEqualTo(new Expansion.Problem.Unknown("gw"));
            }
            // cn beside uid: the full name finds the account, whose login stays its uid
            try (LdapDirectory d = LdapDirectory.open(settings(f.port(), "(&(objectClass=inetOrgPerson)(|(uid={0})(cn={0})))"))) {
                assertThat(d.user("george washington")).contains(new User("gw", "George Washington", null));
                assertThat(d.user("gw")).contains(new User("gw", "George Washington", null));
                assertThat(d.users(List.of("George Washington", "tj"))).containsOnlyKeys("George Washington", "tj");
            }
        }
    }

    @Test
    void outageIsUnavailableThenRecovers() throws Exception {
        try (LdapFixture f = new LdapFixture(); LdapDirectory d = LdapDirectory.open(settings(f.port(), "(uid={0})"))) {
            fill(f);
            assertThat(d.user("tj")).isPresent();
            f.server.shutDown("ldap", true);
            assertThatThrownBy(() -> d.user("tj")).isInstanceOf(DirectoryUnavailableException.class);
            assertThatThrownBy(() -> d.alias("founders")).isInstanceOf(DirectoryUnavailableException.class);
            f.server.startListening("ldap");
            assertThat(d.user("tj")).isPresent();
        }
    }

    @Test
    void startsWhileTheServerIsDown() throws Exception {
        int port = dev.tacit.testing.External.freePort();
        try (LdapDirectory d = LdapDirectory.open(settings(port, "(uid={0})"))) {
            assertThatThrownBy(() -> d.user("tj")).isInstanceOf(DirectoryUnavailableException.class);
            try (LdapFixture f = new LdapFixture(port)) {
                fill(f);
                assertThat(d.user("tj")).isPresent();
            }
        }
    }
}
