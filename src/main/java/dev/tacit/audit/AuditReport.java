package dev.tacit.audit;

import dev.tacit.findings.Finding;
import java.time.Instant;
import java.util.List;

/** One run of {@code tacit audit}: every target's report, in the order given. */
public record AuditReport(Instant started, Instant finished, List<TargetReport> targets) {

    public AuditReport {
        targets = List.copyOf(targets);
    }

    public List<Finding> findings() {
        return targets.stream().flatMap(t -> t.findings().stream()).toList();
    }
}
