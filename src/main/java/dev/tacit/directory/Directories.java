package dev.tacit.directory;

import dev.tacit.config.TacitConfig;
import java.io.IOException;

/**
 * Opens the backend named by {@code directory.backend}: the files (reloaded when they change),
 * PostgreSQL or LDAP (behind a short-TTL cache). The one place that knows the backends by name.
 *
 * <p>Config keys: directory.* (docs/config.md), users_file, aliases_file.
 */
public final class Directories {

    private Directories() {}

    public static Expander.Options options(TacitConfig.DirectorySettings d) {
        return new Expander.Options(d.maxAliasDepth(), d.allowProgramTargets(), d.allowFileTargets());
    }

    /** Class w from the configuration: host name, local domains, listen addresses. */
    public static LocalDomains localDomains(TacitConfig cfg) {
        return new LocalDomains(cfg.hostname(), cfg.localDomains(), cfg.listen().stream().map(TacitConfig.ListenAddress::host).toList());
    }

    /** The configured backend, files watched for changes; errors stop start-up with a clear message. */
    public static Directory open(TacitConfig cfg, LocalDomains domains) throws IOException {
        return open(cfg, domains, true);
    }

    /** The configured backend; {@code watch} false for one-shot tools (check, expand). */
    public static Directory open(TacitConfig cfg, LocalDomains domains, boolean watch) throws IOException {
        TacitConfig.DirectorySettings d = cfg.directory();
        return switch (d.backend()) {
            case "files" -> {
                ReloadingFileDirectory f = ReloadingFileDirectory.open(cfg.usersFile(), cfg.aliasesFile(), domains, options(d));
                if (watch) {
                    f.watch(d.reloadInterval());
                }
                yield f;
            }
            case "postgresql" -> cached(PostgresDirectory.open(d.jdbcUrl(), d.jdbcUser(), d.jdbcPassword(), d.poolSize(), d.timeout()), d);
            case "ldap" -> {
                try {
                    yield cached(LdapDirectory.open(ldapSettings(d)), d);
                } catch (DirectoryUnavailableException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            default -> throw new IOException("directory.backend: unknown backend " + d.backend());
        };
    }

    public static LdapDirectory.Settings ldapSettings(TacitConfig.DirectorySettings d) {
        return new LdapDirectory.Settings(d.ldapUrl(), d.ldapBindDn(), d.ldapBindPassword(), d.ldapBaseDn(), d.ldapUserFilter(),
                d.ldapLoginAttribute(), d.ldapNameAttribute(), d.ldapGroupFilter(), d.ldapMemberAttributes(), d.poolSize(), d.timeout());
    }

    private static Directory cached(Directory backend, TacitConfig.DirectorySettings d) {
        return d.cacheTtl().isZero() ? backend : new CachingDirectory(backend, d.cacheTtl(), d.cacheSize());
    }
}
