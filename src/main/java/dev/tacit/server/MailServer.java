package dev.tacit.server;

import dev.tacit.config.ConfigLoader;
import dev.tacit.config.TacitConfig;
import dev.tacit.delivery.DeliveryResult;
import dev.tacit.delivery.DomainLimiter;
import dev.tacit.delivery.LmtpDelivery;
import dev.tacit.delivery.MaildirDelivery;
import dev.tacit.delivery.MxResolver;
import dev.tacit.delivery.SmtpDelivery;
import dev.tacit.directory.Directories;
import dev.tacit.directory.Directory;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expander;
import dev.tacit.directory.LocalDomains;
import dev.tacit.events.FileLogSink;
import dev.tacit.events.LogSink;
import dev.tacit.events.MailLog;
import dev.tacit.events.Metrics;
import dev.tacit.events.ProbeEvents;
import dev.tacit.events.StdoutLogSink;
import dev.tacit.events.SyslogSink;
import dev.tacit.policy.EnumerationGuard;
import dev.tacit.policy.GuardStore;
import dev.tacit.policy.LocalGuardStore;
import dev.tacit.policy.PasswordCheck;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.policy.RedisGuardStore;
import dev.tacit.policy.SendmailVerifier;
import dev.tacit.policy.Spf;
import dev.tacit.smtp.Dns;
import dev.tacit.policy.SmtpPolicy;
import dev.tacit.queue.Bouncer;
import dev.tacit.queue.DeliveryTarget;
import dev.tacit.queue.QueueRunner;
import dev.tacit.queue.Spool;
import dev.tacit.queue.TargetStatus;
import dev.tacit.smtp.ServerTls;
import dev.tacit.server.command.DataCommand;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.PathArgument;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A running Tacit mail server: directory, policy, spool, queue runner and listeners, wired from one
 * {@link TacitConfig}. {@link #close()} shuts down in order (listeners first, so messages in flight
 * finish and are durable, then the runner, then the spool).
 */
public final class MailServer implements AutoCloseable {

    private final TacitConfig config;
    private final Spool spool;
    private final QueueRunner runner;
    private final SmtpListener listener;
    private final List<AutoCloseable> resources;
    private final InetSocketAddress admin;
    private final Directory directory;

    private MailServer(TacitConfig config, Spool spool, QueueRunner runner, SmtpListener listener, List<AutoCloseable> resources,
            InetSocketAddress admin, Directory directory) {
        this.config = config;
        this.spool = spool;
        this.runner = runner;
        this.listener = listener;
        this.resources = List.copyOf(resources);
        this.admin = admin;
        this.directory = directory;
    }

    /** Where /metrics is served, or null when admin_listen is "off". */
    public InetSocketAddress adminAddress() {
        return admin;
    }

    public static MailServer start(TacitConfig cfg) throws IOException {
        return start(cfg, UnaryOperator.identity());
    }

    /**
     * Starts with the configured directory wrapped by {@code wrap} (tests use it to give the directory a
     * known latency, the way a slow database would).
     */
    public static MailServer start(TacitConfig cfg, UnaryOperator<Directory> wrap) throws IOException {
        Files.createDirectories(cfg.dataDir());
        Files.createDirectories(cfg.mailDir());
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            LocalDomains domains = Directories.localDomains(cfg);
            Directory directory = Directories.open(cfg, domains);
            resources.add(directory);
            Expander expander = new Expander(wrap.apply(directory), domains, Directories.options(cfg.directory()));
            MailLog mailLog = mailLog(cfg);
            resources.add(mailLog);
            ProbeEvents events = cfg.log().events() == null ? ProbeEvents.NONE : new ProbeEvents(cfg.log().events());
            resources.add(events);
            Metrics metrics = new Metrics();
            resources.add(metrics);
            EnumerationGuard guard = new EnumerationGuard(cfg.guard(), guardStore(cfg, metrics), mailLog, events, metrics, Clock.systemUTC());
            resources.add(guard);
            SmtpPolicy policy = new SmtpPolicy(cfg, new SendmailVerifier(expander, cfg.hostname()), mailLog, events, guard, metrics,
                    new PasswordCheck(directory, domains, cfg.auth().maxConcurrent()), new Spf(Dns.resolver(dnsServers(cfg.delivery()),
                            cfg.delivery().connectTimeout())));
            ServerTls tls = cfg.tls().enabled() ? ServerTls.load(cfg.tls().cert(), cfg.tls().key()) : null;
            Spool spool = Spool.open(cfg.spoolDir(), cfg.queue().fsync());
            spool.onSync(metrics::fsyncBatch);
            QueueRunner runner = new QueueRunner(spool, transports(cfg), t -> maildirFor(cfg, t),
                    new QueueRunner.Settings(cfg.queue().retryInitial(), cfg.queue().retryMax(), cfg.queue().maxAge(),
                            cfg.queue().deliveryConcurrency(), cfg.hostname()),
                    Clock.systemUTC(), o -> {
                        metrics.delivery(o.status().name().toLowerCase(java.util.Locale.ROOT));
                        logDelivery(mailLog, cfg, o);
                    });
            runner.setBouncer(bouncer(cfg, spool, policy, mailLog));
            metrics.gauge("tacit_queue_size", "messages in the queue", spool::size);
            metrics.gauge("tacit_guard_blocked_sources", "source keys blocked by the enumeration guard now",
                    () -> guard.store().blockedCount(System.currentTimeMillis()));
            ServerContext ctx = new ServerContext(cfg, policy, domains, spool, runner, mailLog, metrics, helpText(cfg), tls);
            SmtpListener listener = new SmtpListener(ctx);
            InetSocketAddress admin = null;
            try {
                listener.start();
                if (!cfg.adminListen().equals("off")) {
                    TacitConfig.ListenAddress a = ConfigLoader.parseListenAddress(cfg.adminListen());
                    admin = metrics.serve(a.host(), a.port());
                }
            } catch (IOException e) {
                listener.close();
                spool.close();
                throw e;
            }
            runner.start();
            return new MailServer(cfg, spool, runner, listener, resources, admin, directory);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : resources) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // failing anyway
                }
            }
            throw e;
        }
    }

    /** delivery.dns_servers as socket addresses (empty: the system's resolver). */
    private static List<InetSocketAddress> dnsServers(TacitConfig.Delivery d) {
        return d.dnsServers().stream().map(a -> new InetSocketAddress(a.host(), a.port())).toList();
    }

    /** Maildir or LMTP for local users; SMTP (MX, static routes or smarthost) for remote addresses. */
    static QueueRunner.Transports transports(TacitConfig cfg) throws IOException {
        TacitConfig.Delivery d = cfg.delivery();
        List<InetSocketAddress> dns = dnsServers(d);
        Map<String, MxResolver.Static> routes = new HashMap<>();
        d.routes().forEach((domain, a) -> routes.put(domain, new MxResolver.Static(a.host(), a.port())));
        MxResolver mx = new MxResolver(dns, routes, d.remotePort(), d.connectTimeout());
        SmtpDelivery.Smarthost smarthost = null;
        if (d.smarthost() != null) {
            try {
                smarthost = new SmtpDelivery.Smarthost(d.smarthost().host(), d.smarthost().port(),
                        d.smarthostTls().equals("implicit") ? SmtpDelivery.TlsMode.IMPLICIT : SmtpDelivery.TlsMode.STARTTLS,
                        d.smarthostUser(), d.smarthostPassword(), SmtpDelivery.trustFor(d.smarthostCaFile()));
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("delivery.smarthost_ca_file " + d.smarthostCaFile() + ": " + e.getMessage(), e);
            }
        }
        SmtpDelivery smtp = new SmtpDelivery(new SmtpDelivery.Settings(cfg.hostname(), d.connectTimeout(), d.commandTimeout(), smarthost),
                mx, new DomainLimiter(d.maxConnectionsPerDomain(), cfg.queue().deliveryConcurrency()));
        LmtpDelivery lmtp = d.local().equals("lmtp")
                ? new LmtpDelivery(d.lmtp().host(), d.lmtp().port(), cfg.hostname(), d.connectTimeout(), d.commandTimeout())
                : null;
        return new QueueRunner.Transports(new MaildirDelivery(!cfg.queue().fsync() ? MaildirDelivery.Sync.NONE
                : cfg.queue().maildirSync().equals("file") ? MaildirDelivery.Sync.FILE : MaildirDelivery.Sync.BATCH), lmtp, d.lmtpLogin(), smtp);
    }

    /**
     * Delivery reports, shaped by PrivacyOptions; a report to a local address goes where that address
     * expands to (postmaster when it expands to nothing), to a remote one by SMTP.
     */
    static Bouncer bouncer(TacitConfig cfg, Spool spool, SmtpPolicy policy, MailLog mailLog) {
        var p = cfg.privacy();
        return new Bouncer(spool, new Bouncer.Settings(cfg.hostname(), p.has(PrivacyOptions.Flag.NOBODYRETURN),
                p.has(PrivacyOptions.Flag.NORECEIPTS), p.has(PrivacyOptions.Flag.NOACTUALRECIPIENT)),
                address -> reportTargets(cfg, policy, address), Clock.systemUTC(),
                (qid, dsnQid, to, summary) -> mailLog.log(4, MailLog.Priority.INFO, qid,
                        dsnQid == null ? summary : dsnQid + ": DSN: " + summary + ", to=<" + to + ">"));
    }

    private static List<DeliveryTarget> reportTargets(TacitConfig cfg, SmtpPolicy policy, String address) {
        MailAddress a = PathArgument.parseMailbox(address);
        if (a == null) {
            a = new MailAddress("postmaster", null);
        }
        boolean local = !a.hasDomain() || policy.isLocalDomain(a.domain());
        if (!local) {
            return List.of(new DeliveryTarget(DeliveryTarget.Kind.REMOTE, a.toString(), null, 0));
        }
        try {
            List<DeliveryTarget> out = new ArrayList<>();
            for (SmtpPolicy.Planned t : policy.deliveryPlan(null, a).targets()) {
                out.add(DataCommand.target(t.target(), 0, null));
            }
            if (out.isEmpty() && !a.localPart().equalsIgnoreCase("postmaster")) {
                return reportTargets(cfg, policy, "postmaster");
            }
            return out;
        } catch (DirectoryUnavailableException e) {
            // the outcome is not journalled either: the attempt and its report are made again later
            throw new java.io.UncheckedIOException(new IOException("directory unavailable for a delivery report: " + e.getMessage()));
        }
    }

    static GuardStore guardStore(TacitConfig cfg, Metrics metrics) {
        var g = cfg.guard();
        LocalGuardStore local = new LocalGuardStore(g.window(), g.blockAfter() + 1, g.maxSources());
        if (cfg.counters().equals("local")) {
            return local;
        }
        return new RedisGuardStore(cfg.counters(), g.window(), g.blockAfter() + 1, g.sharedMaxKeys(), local, metrics::guardStoreFailure);
    }

    static MailLog mailLog(TacitConfig cfg) throws IOException {
        List<LogSink> sinks = new ArrayList<>();
        if (cfg.log().stdout()) {
            sinks.add(new StdoutLogSink());
        }
        if (cfg.log().file() != null) {
            sinks.add(new FileLogSink(cfg.log().file(), cfg.hostname()));
        }
        if (cfg.log().syslog() != null) {
            String s = cfg.log().syslog();
            int colon = s.lastIndexOf(':');
            String host = s.substring(0, colon).replace("[", "").replace("]", "");
            sinks.add(new SyslogSink(new InetSocketAddress(host, Integer.parseInt(s.substring(colon + 1))), cfg.hostname()));
        }
        return new MailLog(cfg.logLevel(), sinks);
    }

    static Path maildirFor(TacitConfig cfg, DeliveryTarget t) {
        if (t.mailbox() != null) {
            Path p = Path.of(t.mailbox());
            return p.isAbsolute() ? p : cfg.dataDir().resolve(p);
        }
        return cfg.mailDir().resolve(t.value());
    }

    private static void logDelivery(MailLog log, TacitConfig cfg, QueueRunner.Outcome o) {
        long secs = Duration.between(o.message().envelope().arrival(), java.time.Instant.now()).toSeconds();
        String delay = String.format("%02d:%02d:%02d", secs / 3600, (secs / 60) % 60, secs % 60);
        DeliveryResult.Remote remote = switch (o.result()) {
            case DeliveryResult.Delivered d -> d.remote();
            case DeliveryResult.Permanent p -> p.remote();
            case DeliveryResult.Temporary t -> t.remote();
        };
        String relay = remote == null ? "" : "relay=" + remote.relay() + ", ";
        String stat = switch (o.result()) {
            case DeliveryResult.Delivered d -> "dsn=2.0.0, stat=" + (d.detail() != null && d.detail().startsWith("Sent (") ? d.detail() : "Sent");
            case DeliveryResult.Permanent p -> "dsn=" + p.status() + ", stat=" + o.detail();
            case DeliveryResult.Temporary t -> "dsn=" + t.status() + ", stat=Deferred: " + o.detail();
        };
        String mailer = o.target().kind() == DeliveryTarget.Kind.REMOTE ? "esmtp"
                : cfg.delivery().local().equals("lmtp") ? "lmtp" : "local";
        String to = o.target().kind() == DeliveryTarget.Kind.LOCAL ? o.target().value() + "@" + cfg.hostname() : o.target().value();
        log.log(o.status() == TargetStatus.DELIVERED ? 8 : 3, MailLog.Priority.INFO, o.message().queueId(),
                "to=<" + to + ">, delay=" + delay + ", mailer=" + mailer + ", " + relay + stat);
    }

    static List<String> helpText(TacitConfig cfg) throws IOException {
        if (cfg.helpFile() != null) {
            return Files.readAllLines(cfg.helpFile());
        }
        try (InputStream in = MailServer.class.getResourceAsStream("helpfile")) {
            if (in == null) {
                return List.of();
            }
            return new ArrayList<>(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
        }
    }

    public TacitConfig config() {
        return config;
    }

    public Spool spool() {
        return spool;
    }

    public QueueRunner runner() {
        return runner;
    }

    public List<InetSocketAddress> addresses() {
        return listener.addresses();
    }

    public int port() {
        return listener.addresses().get(0).getPort();
    }

    /** The bound addresses of one kind of listener (MTA, submission, submissions). */
    public List<InetSocketAddress> addresses(ListenerRole role) {
        return listener.addresses(role);
    }

    /** The directory backend in use (tests reload or inspect it). */
    public Directory directory() {
        return directory;
    }

    public int activeSessions() {
        return listener.activeSessions();
    }

    @Override
    public void close() {
        listener.close();
        runner.close();
        spool.close();
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
