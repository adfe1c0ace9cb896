package dev.tacit.lint;

import static dev.tacit.lint.Lints.first;
import static dev.tacit.lint.Lints.ids;
import static dev.tacit.lint.Lints.lint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TacitLintTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreSafe() throws Exception {
        assertThat(ids(lint(dir, "tacit.toml", "hostname = \"mx.example.com\"\n"))).isEmpty();
        assertThat(ids(lint(dir, "b.toml", "hostname = \"mx.example.com\"\nprivacy_options = \"novrfy, noexpn\"\n"))).isEmpty();
    }

    @Test
    void sameQuestionsAsSendmail() throws Exception {
        var r = lint(dir, "tacit.toml", "hostname = \"mx.example.com\"\nprivacy_options = \"public\"\nlog_level = 5\n");
        assertThat(ids(r)).containsExactlyInAnyOrder("TC501", "TC502", "TC503");
        assertThat(first(r, "TC501").location().line()).isEqualTo(2);
        assertThat(ids(lint(dir, "c.toml", "hostname = \"mx.example.com\"\nprivacy_options = \"NoVrfy\"\n"))).containsExactly("TC502");
    }

    @Test
    void whatTacitServeRefusesIsAFinding() throws Exception {
        var r = lint(dir, "tacit.toml", "hostname = \"mx.example.com\"\nprivacy_option = \"goaway\"\n");
        assertThat(ids(r)).containsExactly("TC500");
        assertThat(first(r, "TC500").message()).contains("privacy_option").contains("did you mean 'privacy_options'");
        assertThat(first(r, "TC500").location().line()).isEqualTo(2);
        assertThat(ids(lint(dir, "b.toml", "privacy_options = \"goaway,bogus\"\n"))).containsExactly("TC500");
    }

    @Test
    void tomlSyntaxErrorIsAParseError() {
        assertThatThrownBy(() -> lint(dir, "tacit.toml", "hostname = \"mx\"\nlog_level = = 3\n"))
                .isInstanceOf(LintException.class)
                .satisfies(e -> assertThat(((LintException) e).line()).isEqualTo(2));
    }
}
