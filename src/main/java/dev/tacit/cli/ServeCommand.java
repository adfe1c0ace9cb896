package dev.tacit.cli;

import dev.tacit.config.ConfigException;
import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
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

    @Override
    public Integer call() {
        TacitConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), 2);
        }
        return runUntilStopped(cfg, null);
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
