package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.directory.Expansion.Problem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Expansion rules beyond what the sendmail oracle exercises: delivery mode keeps going past bad
 * members, the depth limit is configurable, postmaster always exists, a backend's |program rows are
 * refused unless allowed, includes a backend cannot supply and outages are reported as such.
 */
class ExpanderTest {

    static final LocalDomains DOMAINS = FileDirectoryTest.DOMAINS;

    /** A directory held in maps, standing in for a database's rows. */
    static final class MapDirectory implements Directory {
        final Map<String, User> users = new HashMap<>();
        final Map<String, Alias> aliases = new HashMap<>();
        boolean down;
        int lookups;

        MapDirectory user(String login, String name) {
            users.put(login, new User(login, name, null));
            return this;
        }

        MapDirectory alias(String name, String... targets) {
            aliases.put(name, new Alias(name, List.of(targets)));
            return this;
        }

        @Override
        public Optional<User> user(String login) throws DirectoryUnavailableException {
            check();
            return Optional.ofNullable(users.get(login));
        }

        @Override
        public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
            check();
            return Optional.ofNullable(aliases.get(name));
        }

        private void check() throws DirectoryUnavailableException {
            lookups++;
            if (down) {
                throw new DirectoryUnavailableException("down", null);
            }
        }
    }

    private static MapDirectory people() {
        return new MapDirectory().user("gw", "George Washington").user("tj", "Thomas Jefferson").user("bf", null);
    }

    @Test
    void deliveryKeepsGoingPastBadMembers() throws Exception {
        MapDirectory d = people().alias("mixed", "gw", "nosuch", "tj", "a@remote.test");
        Expander x = new Expander(d, DOMAINS);
        Expansion deliver = x.run("mixed", Expander.Mode.DELIVER);
        assertThat(deliver.targets()).containsExactly(new Target.Local(d.users.get("tj")), new Target.Local(d.users.get("gw")),
                new Target.Remote("a@remote.test"));
        assertThat(deliver.problems()).containsExactly(new Problem.Unknown("nosuch"));
        // EXPN stops at the first error and lists nothing
        Expansion expn = x.run("mixed", Expander.Mode.EXPAND);
        assertThat(expn.firstError()).isEqualTo(new Problem.Unknown("nosuch"));
        assertThat(expn.entries()).isEmpty();
    }

    @Test
    void verifyDoesNotExpand() throws Exception {
        MapDirectory d = people().alias("bogus", "nosuch");
        Expansion v = new Expander(d, DOMAINS).run("bogus", Expander.Mode.VERIFY);
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).containsExactly(new Expansion.Entry(Expansion.Kind.ALIAS, "bogus", null, null));
    }

    @Test
    void depthLimitIsConfigurable() throws Exception {
        MapDirectory d = people().alias("a1", "a2").alias("a2", "a3").alias("a3", "a4").alias("a4", "gw");
        assertThat(new Expander(d, DOMAINS, new Expander.Options(3, false, false)).run("a1", Expander.Mode.EXPAND).firstError())
                .isEqualTo(new Problem.TooDeep("gw", 4, 3));
        assertThat(new Expander(d, DOMAINS, new Expander.Options(4, false, false)).run("a1", Expander.Mode.EXPAND).targets())
                .containsExactly(new Target.Local(d.users.get("gw")));
    }

    @Test
    void postmasterAlwaysExists() throws Exception {
        Expander x = new Expander(people(), DOMAINS);
        Expansion e = x.run("Postmaster@MAIL.EXAMPLE.COM", Expander.Mode.EXPAND);
        assertThat(e.entries()).containsExactly(new Expansion.Entry(Expansion.Kind.LOCAL, "postmaster", null,
                new Target.Local(new User("postmaster", null, null))));
        assertThat(x.run("postmaster", Expander.Mode.VERIFY).ok()).isTrue();
    }

    @Test
    void oneUserManySpellings() throws Exception {
        Expander x = new Expander(people(), DOMAINS);
        for (String s : List.of("gw", "GW", "gw@mail.example.com", "<gw@MAIL.EXAMPLE.COM>", "\"gw\"@mail.example.com",
                "gw@example.com.", "gw@[127.0.0.1]", "George <gw@localhost>")) {
            assertThat(x.run(s, Expander.Mode.VERIFY).entries()).as(s).extracting(Expansion.Entry::user).containsExactly("gw");
        }
        assertThat(x.run("gw@[127.0.0.2]", Expander.Mode.VERIFY).entries().get(0).kind()).isEqualTo(Expansion.Kind.REMOTE);
    }

    @Test
    void backendProgramRowsNeedTheSwitch() throws Exception {
        MapDirectory d = people().alias("pipe", "\"|/bin/cat\"", "gw");
        Expansion off = new Expander(d, DOMAINS).run("pipe", Expander.Mode.DELIVER);
        assertThat(off.problems()).containsExactly(new Problem.Disabled("\"|/bin/cat\""));
        assertThat(off.targets()).containsExactly(new Target.Local(d.users.get("gw")));
        Expansion on = new Expander(d, DOMAINS, new Expander.Options(10, true, false)).run("pipe", Expander.Mode.DELIVER);
        assertThat(on.targets()).containsExactly(new Target.Local(d.users.get("gw")), new Target.Program("/bin/cat"));
        // named by the client, never
        assertThat(new Expander(d, DOMAINS, new Expander.Options(10, true, true)).run("\"|/bin/cat\"", Expander.Mode.VERIFY)
                .firstError()).isEqualTo(new Problem.NotDirect("\"|/bin/cat\"", "programs"));
    }

    @Test
    void includesOnlyFromTheFilesBackend() throws Exception {
        MapDirectory d = people().alias("inc", ":include:/etc/passwd");
        assertThat(new Expander(d, DOMAINS).run("inc", Expander.Mode.EXPAND).firstError())
                .isEqualTo(new Problem.IncludeMissing(":include:/etc/passwd", "/etc/passwd"));
    }

    @Test
    void anOutageIsNeverUnknown() {
        MapDirectory d = people();
        d.down = true;
        assertThatThrownBy(() -> new Expander(d, DOMAINS).run("gw", Expander.Mode.VERIFY))
                .isInstanceOf(DirectoryUnavailableException.class);
    }

    @Test
    void bigListsAreLookedUpInBatches() throws Exception {
        MapDirectory d = people();
        String[] members = new String[500];
        for (int i = 0; i < members.length; i++) {
            members[i] = "u" + i;
            d.user("u" + i, null);
        }
        d.alias("big", members);
        Expander x = new Expander(new Directory() {
            @Override
            public Optional<User> user(String login) throws DirectoryUnavailableException {
                return d.user(login);
            }

            @Override
            public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
                return d.alias(name);
            }

            @Override
            public Map<String, User> users(java.util.Collection<String> logins) {
                d.lookups++;
                Map<String, User> m = new HashMap<>();
                logins.forEach(l -> m.put(l, d.users.get(l)));
                m.values().removeIf(java.util.Objects::isNull);
                return m;
            }

            @Override
            public Map<String, Alias> aliases(java.util.Collection<String> names) {
                d.lookups++;
                return Map.of();
            }
        }, DOMAINS);
        assertThat(x.run("big", Expander.Mode.EXPAND).entries()).hasSize(500);
        assertThat(d.lookups).as("one alias lookup, one batch of aliases, one batch of users").isEqualTo(3);
    }
}
