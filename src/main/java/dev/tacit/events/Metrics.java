package dev.tacit.events;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.DoubleSupplier;

/**
 * Prometheus metrics (text format at /metrics on the admin listener, config key admin_listen).
 * One registry per server, so several servers in one JVM (tests) do not mix their numbers.
 */
public final class Metrics implements AutoCloseable {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter sessions;
    private final Gauge sessionsActive;
    private final Counter messages;
    private final Counter replies;
    private final Counter probes;
    private final Counter guardEscalations;
    private final Counter guardStoreFailures;
    private final Counter deliveries;
    private final Histogram fsyncBatch;
    private final Counter envelopeOverruns;
    private HTTPServer http;

    public Metrics() {
        sessions = Counter.builder().name("tacit_sessions_total").help("SMTP sessions accepted").register(registry);
        sessionsActive = Gauge.builder().name("tacit_sessions_active").help("SMTP sessions open now").register(registry);
        messages = Counter.builder().name("tacit_messages_accepted_total").help("messages acknowledged with 250 after DATA").register(registry);
        replies = Counter.builder().name("tacit_replies_total").help("SMTP replies sent, by code").labelNames("code").register(registry);
        probes = Counter.builder().name("tacit_probes_total").help("probe commands: vrfy, expn, debug, showq, wiz, kill, verb, etrn, unknown_rcpt")
                .labelNames("kind").register(registry);
        guardEscalations = Counter.builder().name("tacit_guard_escalations_total").help("enumeration guard escalations, by level")
                .labelNames("level").register(registry);
        guardStoreFailures = Counter.builder().name("tacit_guard_store_failures_total")
                .help("shared-counter (Redis) calls that failed and were answered locally").register(registry);
        deliveries = Counter.builder().name("tacit_deliveries_total").help("delivery attempts, by result").labelNames("result").register(registry);
        envelopeOverruns = Counter.builder().name("tacit_envelope_overruns_total")
                .help("RCPT/VRFY/EXPN answers that took longer than enumeration.latency (their timing may show)").register(registry);
        fsyncBatch = Histogram.builder().name("tacit_spool_fsync_batch_records").help("journal records made durable by one fsync (group commit)")
                .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
    }

    /** A gauge read when scraped (queue size, blocked sources). */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    public void sessionOpened() {
        sessions.inc();
        sessionsActive.inc();
    }

    public void sessionClosed() {
        sessionsActive.dec();
    }

    public void messageAccepted() {
        messages.inc();
    }

    public void reply(int code) {
        replies.labelValues(Integer.toString(code)).inc();
    }

    public void probe(String kind) {
        probes.labelValues(kind).inc();
    }

    public void guardEscalation(String level) {
        guardEscalations.labelValues(level).inc();
    }

    public void guardStoreFailure() {
        guardStoreFailures.inc();
    }

    public void delivery(String result) {
        deliveries.labelValues(result).inc();
    }

    public void envelopeOverrun() {
        envelopeOverruns.inc();
    }

    public void fsyncBatch(long records) {
        fsyncBatch.observe(records);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Serves /metrics on host:port (port 0: any free port). */
    public InetSocketAddress serve(String host, int port) throws IOException {
        http = HTTPServer.builder().inetAddress(InetAddress.getByName(host)).port(port).registry(registry).buildAndStart();
        return new InetSocketAddress(InetAddress.getByName(host), http.getPort());
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
