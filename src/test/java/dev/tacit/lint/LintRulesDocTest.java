package dev.tacit.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every rule is documented under its id and name, and ids are unique per prefix and stable in form. */
class LintRulesDocTest {

    @Test
    void everyRuleHasASectionInDocs() throws Exception {
        String doc = Files.readString(External.projectDir().resolve("docs/lint-rules.md"));
        Set<String> names = new HashSet<>();
        for (LintRule r : LintRule.values()) {
            assertThat(doc).as(r.id()).contains("### " + r.id() + " " + r.ruleName() + "\n");
            assertThat(r.id()).matches("(SM1|MC2|PF3|EX4|TC5)\\d\\d");
            assertThat(names.add(r.ruleName())).as("duplicate name " + r.ruleName()).isTrue();
            assertThat(r.help()).isNotBlank();
        }
    }
}
