package dev.tacit.directory;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.schema.Schema;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A real LDAP server on loopback for tests (UnboundID's in-memory server speaks LDAP over TCP),
 * holding users as inetOrgPerson entries under ou=people and aliases as groups under ou=groups: a
 * groupOfNames with member DNs when every target is a plain user or alias, else a nisMailAlias with
 * rfc822MailMember addresses (one attribute per group, so the targets keep their order).
 */
final class LdapFixture implements AutoCloseable {

    static final String BASE = "dc=example,dc=com";

    final InMemoryDirectoryServer server;
    private final int port;

    LdapFixture() throws LDAPException {
        this(0);
    }

    LdapFixture(int port) throws LDAPException {
        InMemoryDirectoryServerConfig c = new InMemoryDirectoryServerConfig(BASE);
        c.setSchema(schema());
        c.setEqualityIndexAttributes("uid", "cn", "member"); // as a real server would index them
        c.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), port, null));
        server = new InMemoryDirectoryServer(c);
        server.add(new Entry(BASE, new Attribute("objectClass", "top", "domain"), new Attribute("dc", "example")));
        server.add(new Entry("ou=people," + BASE, new Attribute("objectClass", "top", "organizationalUnit"), new Attribute("ou", "people")));
        server.add(new Entry("ou=groups," + BASE, new Attribute("objectClass", "top", "organizationalUnit"), new Attribute("ou", "groups")));
        server.startListening();
        this.port = server.getListenPort();
    }

    /** The SDK's standard schema plus RFC 2307's mail alias class, which it lacks. */
    private static Schema schema() throws LDAPException {
        Entry nis = new Entry("cn=schema",
                new Attribute("objectClass", "top", "ldapSubentry", "subschema"),
                new Attribute("attributeTypes", "( 1.3.6.1.4.1.42.2.27.2.1.15 NAME 'rfc822MailMember' "
                        + "EQUALITY caseIgnoreIA5Match SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )"),
                new Attribute("objectClasses", "( 1.3.6.1.4.1.42.2.27.1.2.5 NAME 'nisMailAlias' SUP top STRUCTURAL "
                        + "MUST cn MAY rfc822MailMember )"));
        return Schema.mergeSchemas(Schema.getDefaultStandardSchema(), new Schema(nis));
    }

    int port() {
        return port;
    }

    /** The [directory] lines that point Tacit at this server. */
    String toml() {
        return "backend = \"ldap\"\nldap_url = \"ldap://127.0.0.1:" + port + "\"\nldap_base_dn = \"" + BASE + "\"\n"
                + "ldap_name_attribute = \"displayName\"\n";
    }

    static Entry userEntry(User u) {
        List<Attribute> a = new ArrayList<>(List.of(new Attribute("objectClass", "top", "person", "inetOrgPerson"),
                new Attribute("uid", u.login()), new Attribute("cn", u.fullName() == null ? u.login() : u.fullName()),
                new Attribute("sn", u.login())));
        if (u.fullName() != null) {
            a.add(new Attribute("displayName", u.fullName()));
        }
        return new Entry("uid=" + u.login() + ",ou=people," + BASE, a);
    }

    void load(Collection<User> users, Collection<Alias> aliases) throws LDAPException {
        Set<String> logins = users.stream().map(u -> u.login().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> names = aliases.stream().map(Alias::name).collect(Collectors.toSet());
        List<Entry> entries = new ArrayList<>();
        for (User u : users) {
            entries.add(userEntry(u));
        }
        for (Alias al : aliases) {
            String dn = "cn=" + al.name() + ",ou=groups," + BASE;
            boolean plain = al.targets().stream().allMatch(t -> t.matches("[a-z0-9._-]+") && (logins.contains(t) || names.contains(t)));
            if (plain) {
                List<String> members = al.targets().stream()
                        .map(t -> logins.contains(t) ? "uid=" + t + ",ou=people," + BASE : "cn=" + t + ",ou=groups," + BASE)
                        .distinct().toList();
                entries.add(new Entry(dn, new Attribute("objectClass", "top", "groupOfNames"), new Attribute("cn", al.name()),
                        new Attribute("member", members)));
            } else {
                // LDAP values are a set: keep the first of values equal without regard to case
                Map<String, String> values = new LinkedHashMap<>();
                al.targets().forEach(t -> values.putIfAbsent(t.toLowerCase(Locale.ROOT), t));
                entries.add(new Entry(dn, new Attribute("objectClass", "top", "nisMailAlias"), new Attribute("cn", al.name()),
                        new Attribute("rfc822MailMember", values.values())));
            }
        }
        server.addEntries(entries);
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
