package dev.tacit.server;

import dev.tacit.config.TacitConfig;
import dev.tacit.directory.LocalDomains;
import dev.tacit.events.MailLog;
import dev.tacit.events.Metrics;
import dev.tacit.policy.SmtpPolicy;
import dev.tacit.queue.QueueRunner;
import dev.tacit.queue.Spool;
import dev.tacit.smtp.ServerTls;
import java.util.List;

/**
 * What every session shares: configuration, policy, local domains, spool, queue runner, the mail
 * log, the help text and the TLS certificate (null when none is configured). Built once by {@link SmtpServer}'s owner.
 */
public record ServerContext(
        TacitConfig config,
        SmtpPolicy policy,
        LocalDomains domains,
        Spool spool,
        QueueRunner runner,
        MailLog mailLog,
        Metrics metrics,
        List<String> helpText,
        ServerTls tls) {

    public String hostname() {
        return config.hostname();
    }
}
