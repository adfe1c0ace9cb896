package dev.tacit.findings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportWritersTest {

    static final Rule VRFY = new Rule("SM101", "sendmail-vrfy-open", Severity.HIGH,
            "VRFY answers for every user", "Add novrfy to PrivacyOptions.", null,
            List.of("DISA STIG GEN004680", "CIS AIX 4.6.4.2"));
    static final Rule LOG = new Rule("SM120", "sendmail-loglevel-low", Severity.MEDIUM,
            "LogLevel too low to log probes", "Set LogLevel to 9.", "https://example.org/rules#SM120", List.of());
    static final Rule QUIET = new Rule("SM130", "quiet-rule", Severity.LOW, "never fires here", "n/a", null, List.of());

    static Report sample(Severity failOn) {
        Finding vrfy = new Finding("SM101", Severity.HIGH, "VRFY is answered: PrivacyOptions lacks novrfy",
                Location.file("etc/mail/sendmail.cf", 12, 1, "O PrivacyOptions=authwarnings"),
                List.of(), "add novrfy", List.of("DISA STIG GEN004680"));
        Finding log = new Finding("SM120", Severity.MEDIUM, "LogLevel 4 <does not> log \"VRFY\" & EXPN",
                Location.file("dir with space/sendmail.cf", 40, 3, "O LogLevel=4\u0001"),
                List.of("line with <xml> & \"quotes\""), "set LogLevel=9", List.of());
        Finding service = new Finding("AU001", Severity.CRITICAL, "VRFY confirms users",
                Location.service("smtp://mx.example.com:25"),
                List.of("VRFY gw", "250 2.1.5 George Washington <gw@example.com>"), "disable VRFY", List.of());
        Finding info = new Finding("SM130", Severity.INFO, "just so you know",
                Location.file("/abs/path/sendmail.cf", 0, 0, null), List.of(), null, List.of());
        return new Report("tacit", "0.1.0-SNAPSHOT", "https://example.org/tacit",
                List.of(log, vrfy, service, info), List.of(VRFY, LOG, QUIET),
                List.of("etc/mail/sendmail.cf", "dir with space/sendmail.cf", "clean.cf"), failOn);
    }

    static String render(ReportWriter w, Report r) throws IOException {
        StringWriter out = new StringWriter();
        w.write(r, out);
        return out.toString();
    }

    @Test
    void textIsCompilerStyle() throws IOException {
        String text = render(new TextWriter(), sample(Severity.LOW));
        assertThat(text).contains("etc/mail/sendmail.cf:12:1: high: VRFY is answered: PrivacyOptions lacks novrfy [SM101]\n");
        assertThat(text).contains("smtp://mx.example.com:25: critical: VRFY confirms users [AU001]\n");
        assertThat(text).contains("/abs/path/sendmail.cf: info: just so you know [SM130]\n");
        assertThat(text).contains("    fix: add novrfy\n");
        assertThat(text).endsWith("4 findings (1 critical, 1 high, 1 medium, 1 info) in 5 targets\n");
        assertThat(text).contains("    | O LogLevel=4\\x01\n");
        // sorted by target, then line
        assertThat(text.indexOf("/abs/path")).isLessThan(text.indexOf("dir with space"));
    }

    @Test
    void emptyReportSaysSo() throws IOException {
        Report r = new Report("tacit", "1", null, List.of(), List.of(VRFY), List.of("a.cf"), Severity.LOW);
        assertThat(render(new TextWriter(), r)).isEqualTo("no findings in 1 target\n");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void jsonFollowsDocumentedSchema() throws IOException {
        JsonNode root = new ObjectMapper().readTree(render(new JsonWriter(), sample(Severity.HIGH)));
        assertThat(root.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(root.at("/tool/name").asText()).isEqualTo("tacit");
        assertThat(root.at("/summary/findings").asInt()).isEqualTo(4);
        assertThat(root.at("/summary/bySeverity/critical").asInt()).isEqualTo(1);
        assertThat(root.at("/summary/failOn").asText()).isEqualTo("high");
        assertThat(root.at("/summary/failed").asBoolean()).isTrue();
        JsonNode f = root.get("findings").get(2);
        assertThat(f.get("ruleId").asText()).isEqualTo("SM101");
        assertThat(f.at("/location/kind").asText()).isEqualTo("file");
        assertThat(f.at("/location/line").asInt()).isEqualTo(12);
        assertThat(f.at("/location/snippet").asText()).isEqualTo("O PrivacyOptions=authwarnings");
        JsonNode svc = root.get("findings").get(3);
        assertThat(svc.at("/location/kind").asText()).isEqualTo("service");
        assertThat(svc.at("/location/line").isMissingNode()).isTrue();
        assertThat(svc.get("evidence")).hasSize(2);
        assertThat(root.get("rules")).hasSize(4); // three listed plus AU001 seen only in a finding
    }

    @Test
    void sarifIsValidAgainstTheOfficialSchema() throws IOException {
        JsonSchema schema = sarifSchema();
        for (Report r : List.of(sample(Severity.LOW),
                new Report("tacit", "dev", null, List.of(), List.of(), List.of(), null))) {
            String sarif = render(new SarifWriter(), r);
            Set<ValidationMessage> errors = schema.validate(new ObjectMapper().readTree(sarif));
            assertThat(errors).as(sarif).isEmpty();
        }
    }

    @Test
    void theSchemaCheckCanFail() throws IOException {
        JsonSchema schema = sarifSchema();
        JsonNode broken = SarifWriter.toJson(sample(Severity.LOW));
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/runs/0/results/0")).put("level", "fatal");
        assertThat(schema.validate(broken)).isNotEmpty();
    }

    @Test
    void sarifHasWhatCodeScanningNeeds() throws IOException {
        JsonNode root = new ObjectMapper().readTree(render(new SarifWriter(), sample(Severity.LOW)));
        JsonNode run = root.at("/runs/0");
        JsonNode rules = run.at("/tool/driver/rules");
        assertThat(rules.get(0).get("id").asText()).isEqualTo("SM101");
        assertThat(rules.get(0).at("/help/text").asText()).contains("Add novrfy").contains("GEN004680");
        assertThat(rules.get(0).at("/properties/security-severity").asText()).isEqualTo("8.0");
        JsonNode results = run.get("results");
        JsonNode vrfy = results.get(2);
        assertThat(vrfy.get("ruleId").asText()).isEqualTo("SM101");
        assertThat(vrfy.get("ruleIndex").asInt()).isZero();
        assertThat(vrfy.get("level").asText()).isEqualTo("error");
        assertThat(vrfy.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo("etc/mail/sendmail.cf");
        assertThat(vrfy.at("/locations/0/physicalLocation/artifactLocation/uriBaseId").asText()).isEqualTo("%SRCROOT%");
        assertThat(vrfy.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(12);
        JsonNode spaced = results.get(1);
        assertThat(spaced.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo("dir%20with%20space/sendmail.cf");
        JsonNode abs = results.get(0);
        assertThat(abs.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo("file:///abs/path/sendmail.cf");
        assertThat(abs.at("/locations/0/physicalLocation/region").isMissingNode()).isTrue();
        JsonNode svc = results.get(3);
        assertThat(svc.at("/locations/0/logicalLocations/0/fullyQualifiedName").asText()).isEqualTo("smtp://mx.example.com:25");
        assertThat(svc.at("/partialFingerprints/tacitFinding~1v1").asText()).hasSize(32);
    }

    @Test
    void junitHasOneCasePerRuleAndTargetAndFailsAtThreshold() throws Exception {
        Document doc = parseXml(render(new JUnitWriter(), sample(Severity.MEDIUM)));
        Element suites = doc.getDocumentElement();
        // targets: 3 listed + smtp://... + /abs/path = 5; rules: 3 listed + AU001 = 4
        assertThat(suites.getAttribute("tests")).isEqualTo("20");
        assertThat(suites.getAttribute("failures")).isEqualTo("3"); // high, medium, critical; info passes
        NodeList cases = doc.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(20);
        Element failing = null;
        Element infoCase = null;
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            if (c.getAttribute("classname").equals("dir with space/sendmail.cf") && c.getAttribute("name").startsWith("SM120")) {
                failing = c;
            }
            if (c.getAttribute("classname").equals("/abs/path/sendmail.cf") && c.getAttribute("name").startsWith("SM130")) {
                infoCase = c;
            }
        }
        assertThat(failing).isNotNull();
        Element failure = (Element) failing.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("LogLevel 4 <does not> log \"VRFY\" & EXPN");
        assertThat(failure.getTextContent()).contains("O LogLevel=4\uFFFD");
        assertThat(infoCase.getElementsByTagName("failure").getLength()).isZero();
        assertThat(infoCase.getElementsByTagName("system-out").item(0).getTextContent()).contains("just so you know");

        Document strict = parseXml(render(new JUnitWriter(), sample(Severity.CRITICAL)));
        assertThat(strict.getDocumentElement().getAttribute("failures")).isEqualTo("1");
    }

    @Test
    void exitCodesFollowFailOn() {
        assertThat(sample(Severity.CRITICAL).exitCode()).isEqualTo(ExitCodes.FINDINGS);
        Report onlyInfo = new Report("t", "1", null, List.of(new Finding("X", Severity.INFO, "m",
                Location.file("f", 1, 1, null), null, null, null)), null, null, Severity.LOW);
        assertThat(onlyInfo.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(ExitCodes.forFindings(onlyInfo.findings(), Severity.INFO)).isEqualTo(ExitCodes.FINDINGS);
    }

    @Test
    void formatsParseByName() {
        assertThat(ReportFormat.parse("SARIF")).isEqualTo(ReportFormat.SARIF);
        assertThat(ReportFormat.parse("junit").writer()).isInstanceOf(JUnitWriter.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReportFormat.parse("xml"))
                .hasMessageContaining("use text, json, sarif or junit");
    }

    static JsonSchema sarifSchema() throws IOException {
        return SarifSchema.load();
    }

    static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
