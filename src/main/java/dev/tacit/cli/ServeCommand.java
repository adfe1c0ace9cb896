package dev.tacit.cli;

import dev.tacit.config.ConfigException;
import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.rules.RulesException;
import dev.tacit.rules.SendmailCf;
import dev.tacit.server.MailServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tacit serve --config FILE}: run the mail server until SIGTERM/SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the SMTP server from a tacit.toml.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the tacit.toml to run")
    Path config;

    @Option(names = "--sendmail-cf", paramLabel = "FILE",
            description = "take PrivacyOptions, LogLevel and the check_vrfy/check_expn rule sets from an existing sendmail.cf")
    Path sendmailCf;

    @Override
    public Integer call() {
        TacitConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), 2);
        }
        if (sendmailCf != null) {
            cfg = importSendmailCf(cfg, sendmailCf);
        }
        return runUntilStopped(cfg, null);
    }

    /** Applies a sendmail.cf; prints, line by line, everything in it that Tacit does not use. */
    static TacitConfig importSendmailCf(TacitConfig cfg, Path cf) {
        SendmailCf.Import imp;
        try {
            imp = SendmailCf.read(cf, cfg.ruleOptions());
        } catch (RulesException e) {
            throw new CliException(String.join(System.lineSeparator() + "tacit: ", e.errors()), 2);
        }
        for (String w : imp.warnings()) {
            System.err.println("tacit: " + w);
        }
        PrivacyOptions p;
        try {
            p = imp.privacyOptions() == null ? null : PrivacyOptions.parse(imp.privacyOptions());
        } catch (IllegalArgumentException e) {
            throw new CliException(cf + ": PrivacyOptions: " + e.getMessage(), 2);
        }
        System.err.println("tacit: from " + cf + ": PrivacyOptions=" + (p == null ? "(unset, keeping " + cfg.privacy() + ")" : p)
                + ", LogLevel=" + (imp.logLevel() == null ? "(unset, keeping " + cfg.logLevel() + ")" : imp.logLevel())
                + ", rule sets: " + String.join(" ", SendmailCf.POLICY_SETS.stream().filter(imp.ruleSets()::isDefined).toList()));
        return cfg.withSendmailCf(cf, p, imp.logLevel(), imp.ruleSets());
    }

    /** Starts the server, prints where it listens, and blocks until the process is asked to stop. */
    static int runUntilStopped(TacitConfig cfg, Runnable banner) {
        MailServer server;
        try {
            server = MailServer.start(cfg);
        } catch (IOException e) {
            throw new CliException(e.getMessage(), 1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "tacit-shutdown"));
        for (var a : server.addresses()) {
            System.out.println("tacit: listening on " + a.getAddress().getHostAddress() + ":" + a.getPort() + " as " + cfg.hostname());
        }
        if (server.adminAddress() != null) {
            System.out.println("tacit: metrics at http://" + server.adminAddress().getAddress().getHostAddress() + ":"
                    + server.adminAddress().getPort() + "/metrics");
        }
        if (banner != null) {
            banner.run();
        }
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
