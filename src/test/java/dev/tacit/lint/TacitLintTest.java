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
    void enumerationDefenceKeys() throws Exception {
        var r = lint(dir, "tacit.toml", """
                hostname = "mx.example.com"
                enumeration_defense = false
                trusted_networks = ["192.0.2.0/24", "0.0.0.0/0", "2001:db8::/12"]
                [guard]
                enabled = false
                """);
        assertThat(ids(r)).containsExactlyInAnyOrder("TC504", "TC505", "TC505", "TC506");
        assertThat(r.findings().stream().filter(f -> f.ruleId().equals("TC505")).map(f -> f.severity().lower()))
                .containsExactlyInAnyOrder("high", "medium");
        assertThat(first(r, "TC506").location().line()).isEqualTo(5);
        assertThat(ids(lint(dir, "ok.toml", "hostname = \"mx.example.com\"\ntrusted_networks = [\"10.1.0.0/16\", \"::1/128\"]\n"))).isEmpty();
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
