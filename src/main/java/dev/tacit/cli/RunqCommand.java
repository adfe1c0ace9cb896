package dev.tacit.cli;

import dev.tacit.config.TacitConfig;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.queue.QueueRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tacit runq}: ask the running server for a queue run now (sendmail -q). The request is a file in
 * the spool, so only who may write the spool can make it; with restrictqrun, only the data folder's
 * owner (or root) may even ask.
 */
@Command(name = "runq", mixinStandardHelpOptions = true, description = "Ask the running server to retry every queued message now.")
final class RunqCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the server's tacit.toml")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the data folder, when there is no config file")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        TacitConfig cfg = DataDirs.config(config, dataDir);
        if (cfg.privacy().has(PrivacyOptions.Flag.RESTRICTQRUN)) {
            Ownership.require(cfg.dataDir(), "restrictqrun", "start a queue run");
        }
        Path spool = cfg.spoolDir();
        if (!Files.isDirectory(spool)) {
            throw new CliException("no spool at " + spool, 1);
        }
        Files.writeString(spool.resolve(QueueRunner.RUN_REQUEST), "");
        System.out.println("queue run requested");
        return 0;
    }
}
