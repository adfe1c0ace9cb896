package dev.tacit.findings;

import java.util.Locale;

/** The formats of {@code --format}; the audit engineer adds HTML here. */
public enum ReportFormat {
    TEXT(new TextWriter()),
    JSON(new JsonWriter()),
    SARIF(new SarifWriter()),
    JUNIT(new JUnitWriter());

    private final ReportWriter writer;

    ReportFormat(ReportWriter writer) {
        this.writer = writer;
    }

    public ReportWriter writer() {
        return writer;
    }

    public String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive; throws IllegalArgumentException naming the choices. */
    public static ReportFormat parse(String s) {
        for (ReportFormat f : values()) {
            if (f.name().equalsIgnoreCase(s.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format \"" + s + "\" (use text, json, sarif or junit)");
    }
}
