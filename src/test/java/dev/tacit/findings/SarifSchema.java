package dev.tacit.findings;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.tacit.testing.External;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The official OASIS SARIF 2.1.0 schema from ../shared/spec, loaded with networknt's validator
 * (draft-04, as the schema declares). Missing: a skip on a dev machine, a failure under CI=true.
 */
public final class SarifSchema {

    private SarifSchema() {}

    public static JsonSchema load() throws IOException {
        Path file = External.shared().resolve("spec/sarif-schema-2.1.0.json");
        if (!Files.isRegularFile(file)) {
            String msg = "SARIF schema not found at " + file;
            if (External.ci()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }
}
