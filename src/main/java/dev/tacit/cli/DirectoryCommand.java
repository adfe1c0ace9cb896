package dev.tacit.cli;

import dev.tacit.config.ConfigException;
import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
import dev.tacit.directory.Alias;
import dev.tacit.directory.Directories;
import dev.tacit.directory.Directory;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expander;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.FileDirectory;
import dev.tacit.directory.FileError;
import dev.tacit.directory.LocalDomains;
import dev.tacit.directory.PostgresDirectory;
import dev.tacit.policy.SendmailVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tacit directory check} and {@code tacit directory init}: validate the configured users and
 * aliases files (every error as {@code file:line: message}, exit 1 if any), create the PostgreSQL
 * schema and optionally copy users and aliases files into it.
 */
@Command(name = "directory", mixinStandardHelpOptions = true, description = "Check the directory files, or set up PostgreSQL.",
        subcommands = {DirectoryCommand.Check.class, DirectoryCommand.Init.class})
final class DirectoryCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static TacitConfig load(Path config) {
        if (!Files.exists(config)) {
            throw new CliException(config + ": no such file (give the server's tacit.toml with --config)", 2);
        }
        try {
            return ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), 2);
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate the configured users and aliases files, and every alias's expansion.",
                    "Prints each error as file:line: message; exit status 1 if there is any."})
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "tacit.toml", description = "the server's tacit.toml (default: ${DEFAULT-VALUE})")
        Path config;

        @Option(names = "--strict", description = "count warnings (aliases that cannot be fully delivered) as errors")
        boolean strict;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            TacitConfig cfg = load(config);
            LocalDomains domains = Directories.localDomains(cfg);
            if (!cfg.directory().backend().equals("files")) {
                return checkBackend(cfg, domains, out);
            }
            FileDirectory.Loaded l = FileDirectory.load(cfg.usersFile(), cfg.aliasesFile(), domains, Directories.options(cfg.directory()));
            for (FileError e : l.errors()) {
                out.println(e);
            }
            if (!l.ok()) {
                out.printf("%d error%s%n", l.errors().size(), l.errors().size() == 1 ? "" : "s");
                out.flush();
                return 1;
            }
            FileDirectory d = l.directory();
            int warnings = warnAboutAliases(d, domains, cfg, out);
            out.printf("%s: %d users%s%n", cfg.usersFile(), d.userCount(), Files.exists(cfg.usersFile()) ? "" : " (no such file)");
            out.printf("%s: %d aliases%s%n", cfg.aliasesFile(), d.aliasCount(), Files.exists(cfg.aliasesFile()) ? "" : " (no such file)");
            out.printf("no errors%s%n", warnings == 0 ? "" : ", " + warnings + " warning" + (warnings == 1 ? "" : "s"));
            out.flush();
            return strict && warnings > 0 ? 1 : 0;
        }

        /** Expands every alias as delivery would and reports what cannot be delivered. */
        private static int warnAboutAliases(FileDirectory d, LocalDomains domains, TacitConfig cfg, PrintWriter out) {
            Expander x = new Expander(d, domains, Directories.options(cfg.directory()));
            List<Alias> aliases = new ArrayList<>(d.allAliases());
            aliases.sort(Comparator.comparing((Alias a) -> lineOf(a.source())).thenComparing(Alias::name));
            int warnings = 0;
            for (Alias a : aliases) {
                Expansion e;
                try {
                    e = x.run(a.name(), Expander.Mode.DELIVER);
                } catch (DirectoryUnavailableException ex) {
                    throw new IllegalStateException(ex); // files never are
                }
                for (Expansion.Problem p : e.problems().stream().distinct().toList()) {
                    out.printf("%s:%d: warning: alias \"%s\": %s%n", cfg.aliasesFile(), lineOf(a.source()), a.name(),
                            SendmailVerifier.error(p).toString());
                    warnings++;
                }
            }
            return warnings;
        }

        private static int lineOf(String source) {
            int colon = source == null ? -1 : source.lastIndexOf(':');
            try {
                return colon < 0 ? 0 : Integer.parseInt(source.substring(colon + 1));
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private static int checkBackend(TacitConfig cfg, LocalDomains domains, PrintWriter out) {
            try (Directory d = Directories.open(cfg, domains, false)) {
                d.user("postmaster");
                d.alias("postmaster");
                out.printf("%s directory: reachable%n", cfg.directory().backend());
                out.flush();
                return 0;
            } catch (DirectoryUnavailableException | IOException e) {
                out.printf("%s directory: %s%n", cfg.directory().backend(), e.getMessage());
                out.flush();
                return 1;
            }
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create Tacit's directory tables in a PostgreSQL database (safe to run again),",
                    "and optionally copy a users file and an aliases file into them."})
    static final class Init implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--jdbc", required = true, paramLabel = "URL", description = "jdbc:postgresql://host:port/database")
        String jdbc;

        @Option(names = "--user", paramLabel = "NAME", description = "database user (or in the URL)")
        String user;

        @Option(names = "--password", paramLabel = "SECRET", description = "database password (or in the URL)")
        String password;

        @Option(names = "--import-users", paramLabel = "FILE", description = "copy this users file (login:Full Name[:mailbox] or passwd)")
        Path users;

        @Option(names = "--import-aliases", paramLabel = "FILE", description = "copy this aliases(5) file")
        Path aliases;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (!jdbc.startsWith("jdbc:postgresql:")) {
                throw new CliException("--jdbc: expected jdbc:postgresql://host:port/database, got " + jdbc, 2);
            }
            Properties p = new Properties();
            if (user != null) {
                p.setProperty("user", user);
            }
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("connectTimeout", "10");
            try (Connection c = DriverManager.getConnection(jdbc, p)) {
                PostgresDirectory.createSchema(c);
                out.println("tables tacit_users, tacit_aliases, tacit_alias_members are in place");
                if (users != null || aliases != null) {
                    LocalDomains any = new LocalDomains("localhost", List.of(), List.of());
                    FileDirectory.Loaded l = FileDirectory.load(users == null ? Path.of("/nonexistent/users") : users,
                            aliases == null ? Path.of("/nonexistent/aliases") : aliases, any, new Expander.Options(10, true, true));
                    if (!l.ok()) {
                        l.errors().forEach(out::println);
                        out.flush();
                        return 1;
                    }
                    PostgresDirectory.importFrom(c, l.directory().allUsers(), l.directory().allAliases());
                    out.printf("imported %d users and %d aliases%n", l.directory().userCount(), l.directory().aliasCount());
                }
                out.flush();
                return 0;
            } catch (SQLException | IOException e) {
                throw new CliException("directory init: " + e.getMessage(), 1);
            }
        }
    }
}
