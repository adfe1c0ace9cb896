package dev.tacit.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tacit.lint.LintContext;
import dev.tacit.lint.LintException;
import dev.tacit.lint.SourceFile;
import dev.tacit.lint.TacitChecker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Fuzzes tacit.toml loading: whatever the text, {@link ConfigLoader#parse} returns a config or throws
 * {@link ConfigException} whose lines each name the file (and line when known); no other exception.
 * {@code tacit serve} and {@code tacit lint} both read the file this way; lint's checks then run on
 * it and may only refuse it with a one-line {@link LintException}.
 */
class ConfigLoaderFuzzTest {

    private static final Path FILE = Path.of("fuzz", "tacit.toml");

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/config/toml.dict")
    void parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        // tacit lint reads the same file through the same loader, then checks it
        try {
            TacitChecker.check(SourceFile.of(FILE.toString(), text), new LintContext());
        } catch (LintException e) {
            assertThat(e.oneLine()).doesNotContain("\n").startsWith(FILE.toString());
        }
        try {
            TacitConfig c = ConfigLoader.parse(text, FILE);
            assertThat(c.listen()).isNotEmpty();
            assertThat(c.hostname()).isNotBlank();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            for (String line : e.getMessage().split("\n")) {
                assertThat(line).as(e.getMessage()).matches("(?s)\\S.*:(\\d+:)? .+");
            }
        }
    }
}
