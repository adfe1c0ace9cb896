package dev.tacit.findings;

import java.util.Locale;

/** How bad a finding is. Ordered: {@code --fail-on SEVERITY} fails on that level and above. */
public enum Severity {
    INFO, LOW, MEDIUM, HIGH, CRITICAL;

    public static Severity parse(String s) {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
    }

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    /** SARIF 2.1.0 result.level. */
    public String sarifLevel() {
        return switch (this) {
            case INFO -> "note";
            case LOW, MEDIUM -> "warning";
            case HIGH, CRITICAL -> "error";
        };
    }

    public String lower() {
        return name().toLowerCase(Locale.ROOT);
    }
}
