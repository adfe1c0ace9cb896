package dev.tacit.findings;

import java.io.IOException;
import java.io.Writer;

/** Renders a {@link Report} in one output format. Writers are stateless and know no audit or lint details. */
public interface ReportWriter {

    void write(Report report, Writer out) throws IOException;
}
