package dev.tacit.cli;

import dev.tacit.config.ConfigException;
import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tacit demo}: a working server on 127.0.0.1:2525 from a demo data folder it creates (the
 * users and aliases of the sendmail book's examples), with the safe default privacy options.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a demo server on 127.0.0.1 with sample users and aliases.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where the demo keeps its files (default: ./tacit-demo)")
    Path dataDir = Path.of("tacit-demo");

    @Option(names = "--port", paramLabel = "N", description = "port on 127.0.0.1 (default: 2525)")
    int port = 2525;

    @Option(names = "--privacy", paramLabel = "OPTIONS",
            description = "privacy_options for this run, e.g. public (default: what tacit.toml says, goaway)")
    String privacy;

    @Option(names = "--no-enumeration-defense",
            description = "answer RCPT, VRFY and EXPN as sendmail would (per user), to see what a leaking server tells a prober")
    boolean noDefense;

    static final String USERS = """
            # login:Full Name[:mailbox]
            gw:George Washington
            tj:Thomas Jefferson
            bf:Ben Franklin
            br:Betsy Ross
            jqp:John Q. Public
            """;

    static final String ALIASES = """
            # sendmail aliases(5) format
            postmaster: gw
            abuse: gw
            all: gw, tj, bf, br, jqp
            """;

    static final String CONFIG = """
            # Tacit demo configuration. Every key is documented in docs/config.md.
            listen = ["127.0.0.1:2525"]
            hostname = "mail.example.com"
            local_domains = ["example.com"]
            data_dir = "."
            users_file = "users"
            aliases_file = "aliases"
            # sendmail's PrivacyOptions. "goaway" hides users from VRFY and EXPN;
            # change it to "public" to see what a leaking server answers.
            privacy_options = "goaway"
            log_level = 9
            # Prometheus metrics at http://<admin_listen>/metrics; port 0 picks a free port.
            admin_listen = "127.0.0.1:0"
            """;

    @Override
    public Integer call() throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        writeIfMissing(dir.resolve("users"), USERS);
        writeIfMissing(dir.resolve("aliases"), ALIASES);
        writeIfMissing(dir.resolve("tacit.toml"), CONFIG);
        String overrides = "\nlisten = [\"127.0.0.1:" + port + "\"]\n" + (privacy == null ? "" : "privacy_options = "
                + ConfigLoader.tomlString(privacy) + "\n") + (noDefense ? "enumeration_defense = false\n" : "");
        TacitConfig cfg;
        try {
            String text = Files.readString(dir.resolve("tacit.toml"));
            List<String> replaced = new java.util.ArrayList<>(List.of("listen"));
            if (privacy != null) {
                replaced.add("privacy_options");
            }
            if (noDefense) {
                replaced.add("enumeration_defense");
            }
            cfg = ConfigLoader.parse(withoutKeys(text, replaced.toArray(String[]::new)) + overrides, dir.resolve("tacit.toml"));
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), 2);
        }
        return ServeCommand.runUntilStopped(cfg, () -> {
            System.out.println("tacit demo: data in " + dir + " (users, aliases, tacit.toml; mail arrives in mail/<user>/new)");
            System.out.println("tacit demo: privacy_options = \"" + cfg.privacy() + "\", enumeration_defense = " + cfg.defense().enabled());
            System.out.println("Try it:");
            System.out.println("  swaks --server 127.0.0.1:" + port + " --to gw@example.com");
            System.out.println("  telnet 127.0.0.1 " + port + "      then type: EHLO me, VRFY gw, EXPN all, QUIT");
            System.out.println("  ./tacit mailq --data-dir " + dir);
            System.out.println("Stop with Ctrl-C.");
        });
    }

    private static void writeIfMissing(Path p, String text) throws IOException {
        if (!Files.exists(p)) {
            Files.writeString(p, text);
        }
    }

    /** Drops top-level lines setting the given keys, so the command line can override them. */
    private static String withoutKeys(String toml, String... keys) {
        StringBuilder sb = new StringBuilder();
        for (String line : toml.split("\n", -1)) {
            String t = line.strip();
            boolean drop = false;
            for (String k : keys) {
                if (t.startsWith(k + " ") || t.startsWith(k + "=")) {
                    drop = true;
                }
            }
            if (!drop) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }
}
