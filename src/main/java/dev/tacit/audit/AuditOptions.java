package dev.tacit.audit;

import java.time.Duration;
import java.util.List;

/**
 * How an audit runs. Defaults are polite: two connections per target, 20 names a second.
 *
 * @param connectTimeout  TCP connect limit
 * @param readTimeout     longest wait for one reply; a probe past it counts as tarpitted
 * @param slowThreshold   replies slower than this on every probe mean the server tarpits
 * @param helo            the name sent with EHLO/HELO
 * @param mailFrom        sender for RCPT probes; empty means the null sender {@code <>}
 * @param domain          mail domain for RCPT probes; null: the target's MX domain or the server's name
 * @param known           names the user says exist, compared with the canaries
 * @param users           wordlist to enumerate, or empty
 * @param canaries        random names per method (at least 2)
 * @param timing          run the timing test
 * @param timingSamples   samples per group in the timing test
 * @param concurrency     connections per target during enumeration
 * @param rate            names per second per target during enumeration; 0 = no limit
 * @param maxReconnects   reconnections per target before enumeration gives up
 * @param backoffInitial  first pause after a 4xx during enumeration (doubles up to backoffMax)
 * @param maxRetries      retries of one name after 4xx replies
 * @param startTls        use STARTTLS when offered
 * @param relayCheck      probe for an open relay (MAIL/RCPT only, never DATA)
 * @param probeCommands   probe DEBUG, SHOWQ, WIZ, VERB, ETRN
 */
public record AuditOptions(
        Duration connectTimeout, Duration readTimeout, Duration slowThreshold, String helo, String mailFrom,
        String domain, List<String> known, List<String> users, int canaries, boolean timing, int timingSamples,
        int concurrency, double rate, int maxReconnects, Duration backoffInitial, Duration backoffMax, int maxRetries,
        boolean startTls, boolean relayCheck, boolean probeCommands) {

    public AuditOptions {
        known = List.copyOf(known);
        users = List.copyOf(users);
        if (canaries < 2) {
            throw new IllegalArgumentException("at least 2 canaries are needed");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
    }

    public static AuditOptions defaults() {
        return new AuditOptions(Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(2), "tacit-audit.invalid",
                "", null, List.of(), List.of(), 3, false, 30, 2, 20, 50, Duration.ofSeconds(1), Duration.ofSeconds(30), 3,
                true, true, true);
    }

    public AuditOptions withUsers(List<String> u) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, domain, known, u, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withKnown(List<String> k) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, domain, k, users, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withTiming(boolean t, int samples) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, domain, known, users, canaries, t,
                samples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withTimeouts(Duration read, Duration slow) {
        return new AuditOptions(connectTimeout, read, slow, helo, mailFrom, domain, known, users, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withPace(int conc, double perSecond) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, domain, known, users, canaries, timing,
                timingSamples, conc, perSecond, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withBackoff(Duration initial, Duration max, int retries) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, domain, known, users, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, initial, max, retries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withDomain(String d) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, d, known, users, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }

    public AuditOptions withChecks(boolean tls, boolean relay, boolean commands) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, mailFrom, domain, known, users, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, tls, relay, commands);
    }

    public AuditOptions withSender(String helo, String from) {
        return new AuditOptions(connectTimeout, readTimeout, slowThreshold, helo, from, domain, known, users, canaries, timing,
                timingSamples, concurrency, rate, maxReconnects, backoffInitial, backoffMax, maxRetries, startTls, relayCheck, probeCommands);
    }
}
