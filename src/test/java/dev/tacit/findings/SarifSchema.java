package dev.tacit.findings;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;

/**
 * The official OASIS SARIF 2.1.0 schema (errata01, the copy in src/test/resources/sarif, so tests need
 * nothing outside the repository), loaded with networknt's validator (draft-04, as the schema declares).
 */
public final class SarifSchema {

    private static final String RESOURCE = "/sarif/sarif-schema-2.1.0.json";

    private SarifSchema() {}

    public static JsonSchema load() throws IOException {
        try (InputStream in = SarifSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("SARIF schema missing from the test classpath: " + RESOURCE);
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }
}
