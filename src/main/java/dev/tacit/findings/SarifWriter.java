package dev.tacit.findings;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * SARIF 2.1.0 (OASIS), one run, shaped for GitHub code scanning: the rules with their help in
 * {@code tool.driver.rules} (with a {@code security-severity} so GitHub ranks them), one result per
 * finding with a {@code physicalLocation} (relative paths against {@code %SRCROOT%}, a region when
 * the line is known) for files, and a logical location plus the service URI for scanned servers,
 * and a stable {@code partialFingerprints} entry so re-uploads track the same alert.
 */
public final class SarifWriter implements ReportWriter {

    public static final String SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    @Override
    public void write(Report report, Writer out) throws IOException {
        MAPPER.writeValue(out, toJson(report));
        out.write("\n");
        out.flush();
    }

    public static ObjectNode toJson(Report report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("$schema", SCHEMA_URI);
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", report.toolName());
        driver.put("version", report.toolVersion());
        if (report.toolVersion() != null && report.toolVersion().matches("\\d+\\.\\d+\\.\\d+.*")) {
            driver.put("semanticVersion", report.toolVersion());
        }
        if (report.informationUri() != null) {
            driver.put("informationUri", report.informationUri());
        }
        List<Rule> rules = report.allRules();
        ArrayNode ruleArray = driver.putArray("rules");
        for (Rule r : rules) {
            ruleArray.add(rule(r));
        }
        run.putArray("invocations").addObject().put("executionSuccessful", true);
        run.put("columnKind", "utf16CodeUnits");
        ArrayNode results = run.putArray("results");
        for (Finding f : report.sorted()) {
            ObjectNode res = results.addObject();
            res.put("ruleId", f.ruleId());
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).id().equals(f.ruleId())) {
                    res.put("ruleIndex", i);
                    break;
                }
            }
            res.put("level", f.severity().sarifLevel());
            res.putObject("message").put("text", f.message());
            res.putArray("locations").add(location(f.location()));
            res.putObject("partialFingerprints").put("tacitFinding/v1", fingerprint(f));
            ObjectNode props = res.putObject("properties");
            props.put("severity", f.severity().lower());
            if (f.remediation() != null) {
                props.put("remediation", f.remediation());
            }
            if (!f.evidence().isEmpty()) {
                ArrayNode ev = props.putArray("evidence");
                f.evidence().forEach(ev::add);
            }
            if (!f.references().isEmpty()) {
                ArrayNode refs = props.putArray("references");
                f.references().forEach(refs::add);
            }
        }
        return root;
    }

    private static ObjectNode rule(Rule r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", r.id());
        n.put("name", r.name());
        n.putObject("shortDescription").put("text", r.shortDescription());
        String help = r.help() == null || r.help().isBlank() ? r.shortDescription() : r.help();
        n.putObject("fullDescription").put("text", help);
        ObjectNode h = n.putObject("help");
        StringBuilder text = new StringBuilder(help);
        StringBuilder md = new StringBuilder(help);
        if (!r.references().isEmpty()) {
            text.append("\nReferences: ").append(String.join(", ", r.references()));
            md.append("\n\n**References:** ").append(String.join(", ", r.references()));
        }
        h.put("text", text.toString());
        h.put("markdown", md.toString());
        if (r.helpUri() != null) {
            n.put("helpUri", r.helpUri());
        }
        n.putObject("defaultConfiguration").put("level", r.defaultSeverity().sarifLevel());
        ObjectNode props = n.putObject("properties");
        ArrayNode tags = props.putArray("tags");
        tags.add("security");
        r.references().forEach(tags::add);
        props.put("security-severity", securitySeverity(r.defaultSeverity()));
        props.put("precision", "high");
        return n;
    }

    private static ObjectNode location(Location l) {
        ObjectNode loc = MAPPER.createObjectNode();
        ObjectNode phys = loc.putObject("physicalLocation");
        ObjectNode art = phys.putObject("artifactLocation");
        if (l.isFile()) {
            String uri = fileUri(l.uri());
            art.put("uri", uri);
            if (!uri.startsWith("file:")) {
                art.put("uriBaseId", "%SRCROOT%");
            }
            if (l.line() > 0) {
                ObjectNode region = phys.putObject("region");
                region.put("startLine", l.line());
                if (l.column() > 0) {
                    region.put("startColumn", l.column());
                }
                if (l.snippet() != null) {
                    region.putObject("snippet").put("text", l.snippet());
                }
            }
        } else {
            art.put("uri", l.uri());
            ObjectNode logical = loc.putArray("logicalLocations").addObject();
            logical.put("fullyQualifiedName", l.uri());
            logical.put("kind", "resource");
        }
        return loc;
    }

    /** A relative path as a relative URI reference (forward slashes, escaped); an absolute one as file:. */
    static String fileUri(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p.toUri().toString();
        }
        String slashed = path.replace('\\', '/');
        try {
            return new URI(null, null, slashed, null).toASCIIString();
        } catch (URISyntaxException e) {
            return slashed;
        }
    }

    static String securitySeverity(Severity s) {
        return switch (s) {
            case INFO -> "1.0";
            case LOW -> "3.0";
            case MEDIUM -> "5.5";
            case HIGH -> "8.0";
            case CRITICAL -> "9.5";
        };
    }

    /** Stable across line moves: rule, target and the offending text, not the line number. */
    static String fingerprint(Finding f) {
        String snippet = f.location().snippet() == null ? "" : f.location().snippet().strip().toLowerCase(Locale.ROOT);
        String key = f.ruleId() + "\u0000" + f.location().uri() + "\u0000" + snippet;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
