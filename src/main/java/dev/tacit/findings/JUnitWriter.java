package dev.tacit.findings;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML as CI servers read it (Jenkins, GitLab, GitHub test reporters): one {@code testsuite} per
 * target, one {@code testcase} per rule and target (name = rule id, classname = target). A case
 * fails when it has a finding at or above {@code --fail-on}; findings below the threshold are listed
 * in the case's {@code system-out} and the case passes.
 */
public final class JUnitWriter implements ReportWriter {

    @Override
    public void write(Report report, Writer out) throws IOException {
        try {
            XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            List<Rule> rules = report.allRules();
            List<String> targets = report.allTargets();
            Map<String, Map<String, List<Finding>>> byTarget = new LinkedHashMap<>();
            for (String t : targets) {
                Map<String, List<Finding>> byRule = new LinkedHashMap<>();
                for (Rule r : rules) {
                    byRule.put(r.id(), new ArrayList<>());
                }
                byTarget.put(t, byRule);
            }
            for (Finding f : report.sorted()) {
                byTarget.get(f.location().uri()).get(f.ruleId()).add(f);
            }
            int totalFailures = 0;
            for (var t : byTarget.values()) {
                totalFailures += failures(t, report.failOn());
            }
            x.writeStartElement("testsuites");
            x.writeAttribute("name", report.toolName());
            x.writeAttribute("tests", Integer.toString(targets.size() * rules.size()));
            x.writeAttribute("failures", Integer.toString(totalFailures));
            x.writeAttribute("errors", "0");
            x.writeCharacters("\n");
            for (var e : byTarget.entrySet()) {
                String target = e.getKey();
                x.writeCharacters("  ");
                x.writeStartElement("testsuite");
                x.writeAttribute("name", clean(report.toolName() + ": " + target));
                x.writeAttribute("tests", Integer.toString(e.getValue().size()));
                x.writeAttribute("failures", Integer.toString(failures(e.getValue(), report.failOn())));
                x.writeAttribute("errors", "0");
                x.writeAttribute("skipped", "0");
                x.writeCharacters("\n");
                for (var c : e.getValue().entrySet()) {
                    testcase(x, report, target, c.getKey(), c.getValue());
                }
                x.writeCharacters("  ");
                x.writeEndElement();
                x.writeCharacters("\n");
            }
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.flush();
            out.flush();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
        }
    }

    private static int failures(Map<String, List<Finding>> byRule, Severity failOn) {
        int n = 0;
        for (List<Finding> fs : byRule.values()) {
            if (fs.stream().anyMatch(f -> f.severity().atLeast(failOn))) {
                n++;
            }
        }
        return n;
    }

    private static void testcase(XMLStreamWriter x, Report report, String target, String ruleId,
            List<Finding> findings) throws XMLStreamException {
        x.writeCharacters("    ");
        x.writeStartElement("testcase");
        Rule rule = report.rule(ruleId);
        x.writeAttribute("name", rule == null || rule.name().equals(ruleId) ? ruleId : ruleId + " " + rule.name());
        x.writeAttribute("classname", clean(target));
        x.writeAttribute("time", "0");
        List<Finding> failing = findings.stream().filter(f -> f.severity().atLeast(report.failOn())).toList();
        if (!failing.isEmpty()) {
            x.writeCharacters("\n      ");
            x.writeStartElement("failure");
            Finding first = failing.get(0);
            x.writeAttribute("message", clean(first.message()));
            x.writeAttribute("type", first.severity().lower());
            x.writeCharacters(clean(describe(failing)));
            x.writeEndElement();
        }
        List<Finding> below = findings.stream().filter(f -> !f.severity().atLeast(report.failOn())).toList();
        if (!below.isEmpty()) {
            x.writeCharacters("\n      ");
            x.writeStartElement("system-out");
            x.writeCharacters(clean(describe(below)));
            x.writeEndElement();
        }
        if (!failing.isEmpty() || !below.isEmpty()) {
            x.writeCharacters("\n    ");
        }
        x.writeEndElement();
        x.writeCharacters("\n");
    }

    private static String describe(List<Finding> findings) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : findings) {
            sb.append(f.location()).append(": ").append(f.severity().lower()).append(": ")
                    .append(f.message()).append('\n');
            if (f.location().snippet() != null) {
                sb.append("    | ").append(f.location().snippet()).append('\n');
            }
            if (f.remediation() != null) {
                sb.append("    fix: ").append(f.remediation()).append('\n');
            }
        }
        return sb.toString();
    }

    /** XML 1.0 cannot carry most control characters, even escaped; config files can contain them. */
    static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || Character.isSurrogate(c);
            sb.append(ok ? c : '\uFFFD');
        }
        return sb.toString();
    }
}
