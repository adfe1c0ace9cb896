package dev.tacit.findings;

import java.util.List;

/**
 * A check that can produce findings, as a report lists it: a stable id, a short name, the default
 * severity, a one-line summary and the longer help (rationale and fix) that SARIF viewers and the
 * JSON report show next to each result.
 *
 * @param helpUri a page that documents the rule, or null
 * @param references compliance ids and RFC sections (DISA STIG, CIS, KISA, Lynis)
 */
public record Rule(
        String id,
        String name,
        Severity defaultSeverity,
        String shortDescription,
        String help,
        String helpUri,
        List<String> references) {

    public Rule {
        references = references == null ? List.of() : List.copyOf(references);
    }
}
