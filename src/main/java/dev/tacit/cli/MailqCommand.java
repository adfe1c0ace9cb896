package dev.tacit.cli;

import dev.tacit.config.TacitConfig;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.queue.MessageInfo;
import dev.tacit.queue.Spool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tacit mailq}: the queue as sendmail's mailq shows it. Reads the spool; safe while serving. */
@Command(name = "mailq", mixinStandardHelpOptions = true, description = "List the messages waiting in the queue.")
final class MailqCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the server's tacit.toml")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the data folder, when there is no config file")
    Path dataDir;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm", Locale.US);

    @Override
    public Integer call() throws IOException {
        TacitConfig cfg = DataDirs.config(config, dataDir);
        Path data = cfg.dataDir();
        if (cfg.privacy().has(PrivacyOptions.Flag.RESTRICTMAILQ)) {
            Ownership.require(data, "restrictmailq", "list the queue");
        }
        List<MessageInfo> q = Spool.list(data.resolve("spool"));
        if (q.isEmpty()) {
            System.out.println("Mail queue is empty");
            return 0;
        }
        System.out.printf("\t\tMail Queue (%d request%s)%n", q.size(), q.size() == 1 ? "" : "s");
        System.out.println("--Q-ID-- --Size-- -----Q-Time----- ------------Sender/Recipient-----------");
        for (MessageInfo m : q) {
            System.out.printf("%-14s %8d %s <%s>%n", m.queueId(), m.size(),
                    TIME.format(m.arrival().atZone(ZoneId.systemDefault())), m.sender());
            if (m.lastError() != null) {
                System.out.printf("                 (%s)%n", m.lastError());
            }
            for (String r : m.pending()) {
                System.out.printf("\t\t\t\t\t <%s>%n", r);
            }
        }
        return 0;
    }
}
