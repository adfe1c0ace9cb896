package dev.tacit.findings;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * The generic JSON report, schema version 1, documented in docs/report-json.md: the tool, a summary
 * (counts by severity, the {@code --fail-on} threshold and whether it was reached), the findings in
 * a stable order and the rules. Field names never change within a schema version.
 */
public final class JsonWriter implements ReportWriter {

    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    @Override
    public void write(Report report, Writer out) throws IOException {
        MAPPER.writeValue(out, toJson(report));
        out.write("\n");
        out.flush();
    }

    /** The report as a tree, for callers that add their own fields (the audit report does). */
    public static ObjectNode toJson(Report report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ObjectNode tool = root.putObject("tool");
        tool.put("name", report.toolName());
        tool.put("version", report.toolVersion());
        ObjectNode summary = root.putObject("summary");
        summary.put("findings", report.findings().size());
        ObjectNode bySev = summary.putObject("bySeverity");
        for (Map.Entry<Severity, Integer> e : report.countBySeverity().entrySet()) {
            bySev.put(e.getKey().lower(), e.getValue());
        }
        summary.put("failOn", report.failOn().lower());
        summary.put("failed", report.failed());
        ArrayNode targets = root.putArray("targets");
        report.allTargets().forEach(targets::add);
        ArrayNode findings = root.putArray("findings");
        for (Finding f : report.sorted()) {
            findings.add(finding(f));
        }
        ArrayNode rules = root.putArray("rules");
        for (Rule r : report.allRules()) {
            ObjectNode n = rules.addObject();
            n.put("id", r.id());
            n.put("name", r.name());
            n.put("defaultSeverity", r.defaultSeverity().lower());
            n.put("summary", r.shortDescription());
            n.put("help", r.help());
            if (r.helpUri() != null) {
                n.put("helpUri", r.helpUri());
            }
            ArrayNode refs = n.putArray("references");
            r.references().forEach(refs::add);
        }
        return root;
    }

    static ObjectNode finding(Finding f) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("ruleId", f.ruleId());
        n.put("severity", f.severity().lower());
        n.put("message", f.message());
        ObjectNode loc = n.putObject("location");
        Location l = f.location();
        loc.put("kind", l.isFile() ? "file" : "service");
        loc.put("uri", l.uri());
        if (l.line() > 0) {
            loc.put("line", l.line());
        }
        if (l.column() > 0) {
            loc.put("column", l.column());
        }
        if (l.snippet() != null) {
            loc.put("snippet", l.snippet());
        }
        ArrayNode ev = n.putArray("evidence");
        f.evidence().forEach(ev::add);
        if (f.remediation() != null) {
            n.put("remediation", f.remediation());
        }
        ArrayNode refs = n.putArray("references");
        f.references().forEach(refs::add);
        return n;
    }
}
