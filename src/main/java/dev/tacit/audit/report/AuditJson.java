package dev.tacit.audit.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tacit.audit.AuditReport;
import dev.tacit.audit.CommandProbe;
import dev.tacit.audit.EnumerationStats;
import dev.tacit.audit.Method;
import dev.tacit.audit.MethodResult;
import dev.tacit.audit.TargetReport;
import dev.tacit.audit.TimingTest;
import dev.tacit.audit.UserHit;
import dev.tacit.findings.Finding;
import java.util.List;

/**
 * The audit's JSON document ({@code --format json}), schema version 1, described in docs/audit.md:
 * per target the verdict and evidence of each method under {@code methods.VRFY/EXPN/RCPT}, the users
 * found as plain strings, the fingerprint and the findings.
 */
public final class AuditJson {

    public static final int SCHEMA = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AuditJson() {}

    public static String render(AuditReport report) {
        try {
            return JSON.writeValueAsString(tree(report)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode tree(AuditReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("tool", "tacit audit");
        root.put("started", report.started().toString());
        root.put("finished", report.finished().toString());
        ArrayNode ts = root.putArray("targets");
        for (TargetReport t : report.targets()) {
            ts.add(target(t));
        }
        return root;
    }

    static ObjectNode target(TargetReport t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("target", t.target().display());
        o.put("uri", t.target().uri());
        o.put("host", t.target().host());
        o.put("port", t.target().port());
        if (t.target().domain() != null) {
            o.put("mxFor", t.target().domain());
        }
        o.put("status", t.ok() ? "audited" : "error");
        o.put("error", t.error());
        o.put("seconds", Math.round(t.seconds() * 1000) / 1000.0);
        o.put("banner", t.banner());
        strings(o.putArray("ehlo"), t.ehlo());
        o.put("tls", t.tls());
        if (t.tlsError() != null) {
            o.put("tlsError", t.tlsError());
        }
        ObjectNode fp = o.putObject("fingerprint");
        fp.put("mta", t.fingerprint().mta().id());
        fp.put("name", t.fingerprint().mta().display());
        fp.put("version", t.fingerprint().version());
        fp.put("confidence", t.fingerprint().confidence());
        strings(fp.putArray("clues"), t.fingerprint().clues());
        ObjectNode ms = o.putObject("methods");
        for (Method m : Method.values()) {
            MethodResult r = t.method(m);
            if (r == null) {
                continue;
            }
            ObjectNode mo = ms.putObject(m.name());
            mo.put("verdict", r.verdict().label());
            mo.put("reason", r.reason());
            strings(mo.putArray("evidence"), r.evidence());
        }
        o.put("rcptDomain", t.rcptDomain());
        strings(o.putArray("users"), t.users().stream().map(UserHit::name).toList());
        ArrayNode ud = o.putArray("userDetails");
        for (UserHit u : t.users()) {
            ObjectNode x = ud.addObject();
            x.put("name", u.name());
            x.put("method", u.method().name());
            x.put("confidence", u.confidence());
            x.put("evidence", u.evidence());
        }
        strings(o.putArray("unresolved"), t.unresolved());
        EnumerationStats s = t.enumeration();
        if (s != null || t.enumerationNote() != null) {
            ObjectNode e = o.putObject("enumeration");
            if (s != null) {
                e.put("method", s.method().name());
                e.put("tested", s.tested());
                e.put("found", s.found());
                e.put("unresolved", s.unresolved());
                e.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
                e.put("namesPerSecond", Math.round(s.perSecond() * 10) / 10.0);
                e.put("connections", s.connections());
                e.put("backoffs", s.backoffs());
                e.put("commandsPerConnection", s.budget());
            }
            e.put("note", t.enumerationNote());
        }
        ArrayNode tm = o.putArray("timing");
        for (TimingTest.Result r : t.timing()) {
            ObjectNode x = tm.addObject();
            x.put("method", r.method().name());
            x.put("samples", r.samples());
            x.put("canaryMedianMs", r.canaryMedian());
            x.put("knownMedianMs", r.knownMedian());
            x.put("z", r.z());
            x.put("p", r.p());
            x.put("oracle", r.oracle());
        }
        ArrayNode pr = o.putArray("probes");
        for (CommandProbe p : t.probes()) {
            ObjectNode x = pr.addObject();
            x.put("command", p.command());
            x.put("reply", p.reply());
            x.put("differsFromUnknown", p.differs());
        }
        o.put("relay", t.relay());
        ArrayNode fs = o.putArray("findings");
        for (Finding f : t.findings()) {
            fs.add(finding(f));
        }
        strings(o.putArray("transcript"), t.transcript());
        return o;
    }

    static ObjectNode finding(Finding f) {
        ObjectNode x = JSON.createObjectNode();
        x.put("ruleId", f.ruleId());
        x.put("severity", f.severity().lower());
        x.put("message", f.message());
        x.put("location", f.location().uri());
        strings(x.putArray("evidence"), f.evidence());
        x.put("remediation", f.remediation());
        strings(x.putArray("references"), f.references());
        return x;
    }

    private static void strings(ArrayNode a, List<String> xs) {
        for (String s : xs) {
            a.add(s);
        }
    }
}
