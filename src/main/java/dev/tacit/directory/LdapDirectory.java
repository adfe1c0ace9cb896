package dev.tacit.directory;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustStoreTrustManager;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LDAP backend (UnboundID LDAP SDK): users and groups under one base DN, found with configurable
 * filters. A user entry gives the login ({@code uid}) and the full name ({@code cn}); a group entry
 * ({@code groupOfNames} with {@code member} DNs, or {@code nisMailAlias} with
 * {@code rfc822MailMember} addresses) is an alias whose targets are its members, in the order the
 * server returns them. A member DN is turned into a local name: the login of a user entry, the
 * {@code cn} of a group entry (so groups nest like aliases).
 *
 * <p>A server that is down, slow past {@code directory.timeout} or refusing throws
 * {@link DirectoryUnavailableException}: 451 4.3.0, never "User unknown". The pool starts while the
 * server is down and reconnects when it is back.
 *
 * <p>Security: filter values are escaped (RFC 4515), so a probed name cannot change a filter.
 *
 * <p>Config keys: directory.ldap_url, directory.ldap_bind_dn, directory.ldap_bind_password,
 * directory.ldap_base_dn, directory.ldap_user_filter, directory.ldap_login_attribute,
 * directory.ldap_name_attribute, directory.ldap_group_filter, directory.ldap_member_attributes,
 * directory.pool_size, directory.timeout.
 */
public final class LdapDirectory implements Directory {

    private static final Logger log = LoggerFactory.getLogger(LdapDirectory.class);
    /** Names per OR filter when a list is looked up in one go. */
    private static final int CHUNK = 200;

    /** What the backend needs from the [directory] table. */
    public record Settings(String url, String bindDn, String bindPassword, String baseDn, String userFilter,
            String loginAttribute, String nameAttribute, String groupFilter, List<String> memberAttributes,
            int poolSize, Duration timeout) {}

    private final LDAPConnectionPool pool;
    private final Settings s;

    private LdapDirectory(LDAPConnectionPool pool, Settings s) {
        this.pool = pool;
        this.s = s;
    }

    public static LdapDirectory open(Settings s) throws DirectoryUnavailableException {
        URI uri = URI.create(s.url());
        boolean tls = uri.getScheme().equalsIgnoreCase("ldaps");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 636 : 389;
        LDAPConnectionOptions o = new LDAPConnectionOptions();
        o.setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, s.timeout().toMillis()));
        o.setResponseTimeoutMillis(s.timeout().toMillis());
        o.setUseKeepAlive(true);
        try {
            SocketFactory sf = tls
                    ? new SSLUtil(new TrustStoreTrustManager(System.getProperty("java.home") + "/lib/security/cacerts"))
                            .createSSLSocketFactory()
                    : SocketFactory.getDefault();
            BindRequest bind = s.bindDn() == null ? null : new SimpleBindRequest(s.bindDn(), s.bindPassword() == null ? "" : s.bindPassword());
            SingleServerSet servers = new SingleServerSet(uri.getHost(), port, sf, o);
            // throwOnConnectFailure=false: start while the server is down, connect on first use.
            LDAPConnectionPool pool = new LDAPConnectionPool(servers, bind, 0, s.poolSize(), 1, null, false);
            pool.setMaxWaitTimeMillis(s.timeout().toMillis());
            pool.setRetryFailedOperationsDueToInvalidConnections(true);
            return new LdapDirectory(pool, s);
        } catch (LDAPException | GeneralSecurityException e) {
            throw new DirectoryUnavailableException("LDAP " + s.url() + ": " + e.getMessage(), e);
        }
    }

    private Filter filter(String template, String value) throws DirectoryUnavailableException {
        try {
            return Filter.create(template.replace("{0}", Filter.encodeValue(value)));
        } catch (LDAPException e) {
            throw new DirectoryUnavailableException("LDAP filter " + template + ": " + e.getMessage(), e);
        }
    }

    private List<SearchResultEntry> search(String base, SearchScope scope, Filter f, String... attrs)
            throws DirectoryUnavailableException {
        try {
            SearchRequest r = new SearchRequest(base, scope, f, attrs);
            r.setResponseTimeoutMillis(s.timeout().toMillis());
            return pool.search(r).getSearchEntries();
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return List.of();
            }
            // the SDK's message repeats the whole filter, which can be thousands of characters long
            String why = e.getDiagnosticMessage() == null ? "" : ": " + e.getDiagnosticMessage();
            throw new DirectoryUnavailableException("LDAP " + s.url() + ": " + e.getResultCode()
                    + (why.length() > 200 ? why.substring(0, 200) + "..." : why), e);
        }
    }

    @Override
    public Optional<User> user(String login) throws DirectoryUnavailableException {
        List<SearchResultEntry> es = search(s.baseDn(), SearchScope.SUB, filter(s.userFilter(), login),
                s.loginAttribute(), s.nameAttribute());
        if (es.size() > 1) {
            log.warn("LDAP: {} entries match user {}; using {}", es.size(), login, es.get(0).getDN());
        }
        return es.isEmpty() ? Optional.empty() : Optional.of(toUser(es.get(0), login));
    }

    private User toUser(SearchResultEntry e, String asked) {
        String login = e.getAttributeValue(s.loginAttribute());
        String name = e.getAttributeValue(s.nameAttribute());
        return new User(login == null ? asked : login, name == null || name.isEmpty() ? null : name, null);
    }

    @Override
    public Map<String, User> users(Collection<String> logins) throws DirectoryUnavailableException {
        Map<String, User> out = new HashMap<>();
        for (List<String> chunk : chunks(logins)) {
            Map<String, Filter> filters = new HashMap<>();
            for (String l : chunk) {
                filters.put(l, filter(s.userFilter(), l));
            }
            // all attributes: the per-name filters are evaluated on these entries here
            List<SearchResultEntry> es = search(s.baseDn(), SearchScope.SUB, Filter.createORFilter(filters.values()), "*");
            for (String l : chunk) {
                SearchResultEntry e = firstMatch(es, filters.get(l));
                if (e != null) {
                    out.put(l, toUser(e, l));
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Alias> alias(String name) throws DirectoryUnavailableException {
        List<SearchResultEntry> es = search(s.baseDn(), SearchScope.SUB, filter(s.groupFilter(), name), groupAttributes());
        return es.isEmpty() ? Optional.empty() : Optional.of(toAlias(es.get(0), name));
    }

    @Override
    public Map<String, Alias> aliases(Collection<String> names) throws DirectoryUnavailableException {
        Map<String, Alias> out = new HashMap<>();
        for (List<String> chunk : chunks(names)) {
            Map<String, Filter> filters = new HashMap<>();
            for (String n : chunk) {
                filters.put(n, filter(s.groupFilter(), n));
            }
            List<SearchResultEntry> es = search(s.baseDn(), SearchScope.SUB, Filter.createORFilter(filters.values()), "*");
            if (es.isEmpty()) {
                continue;
            }
            for (String n : chunk) {
                SearchResultEntry e = firstMatch(es, filters.get(n));
                if (e != null) {
                    out.put(n, toAlias(e, n));
                }
            }
        }
        return out;
    }

    private String[] groupAttributes() {
        List<String> a = new ArrayList<>(s.memberAttributes());
        a.add("cn");
        a.add("objectClass");
        return a.toArray(String[]::new);
    }

    /** The entry a one-name filter selects among the results of an OR of many; evaluated here. */
    private static SearchResultEntry firstMatch(List<SearchResultEntry> es, Filter f) {
        for (SearchResultEntry e : es) {
            try {
                if (f.matchesEntry(e)) {
                    return e;
                }
            } catch (LDAPException ex) {
                return null; // a filter the SDK cannot evaluate locally: treat as no match
            }
        }
        return null;
    }

    private Alias toAlias(SearchResultEntry e, String name) throws DirectoryUnavailableException {
        List<String> targets = new ArrayList<>();
        for (String attr : s.memberAttributes()) {
            String[] values = e.getAttributeValues(attr);
            if (values == null) {
                continue;
            }
            for (String v : values) {
                String t = isDn(v) ? memberName(v) : v.strip();
                if (t != null && !t.isEmpty()) {
                    targets.add(t);
                }
            }
        }
        return new Alias(name.toLowerCase(Locale.ROOT), targets, e.getDN());
    }

    private static boolean isDn(String v) {
        return v.indexOf('=') > 0 && DN.isValidDN(v);
    }

    /** A member DN as a local name: the login of a user, the cn of a group; null (logged) otherwise. */
    private String memberName(String dn) throws DirectoryUnavailableException {
        try {
            RDN rdn = new DN(dn).getRDN();
            if (rdn != null) {
                String[] names = rdn.getAttributeNames();
                if (names.length == 1 && names[0].equalsIgnoreCase(s.loginAttribute())) {
                    return rdn.getAttributeValues()[0];
                }
            }
        } catch (LDAPException e) {
            return null;
        }
        List<SearchResultEntry> es = search(dn, SearchScope.BASE, Filter.createPresenceFilter("objectClass"),
                s.loginAttribute(), "cn");
        if (es.isEmpty()) {
            log.warn("LDAP: member {} does not exist; skipped", dn);
            return null;
        }
        String login = es.get(0).getAttributeValue(s.loginAttribute());
        return login != null ? login : es.get(0).getAttributeValue("cn");
    }

    private static List<List<String>> chunks(Collection<String> names) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String n : names) {
            cur.add(n);
            if (cur.size() == CHUNK) {
                out.add(cur);
                cur = new ArrayList<>();
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }
}
