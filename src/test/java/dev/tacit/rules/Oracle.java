package dev.tacit.rules;

import dev.tacit.testing.External;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The golden sendmail recordings under src/test/resources/oracle and the world they were made in:
 * host {@code mail.example.com}, class w, the oracle's hosts file, the m4 macros that show in -bt.
 */
final class Oracle {

    private Oracle() {}

    static Path dir() {
        return External.projectDir().resolve("src/test/resources/oracle");
    }

    static String read(String relative) throws IOException {
        return Files.readString(dir().resolve(relative), StandardCharsets.ISO_8859_1);
    }

    /** The oracle's class w, in the order sendmail built it. */
    static final List<String> CLASS_W = List.of("mail.example.com", "example.com", "mail", "localhost", "[127.0.0.1]");

    /** The oracle's private hosts file as a resolver (names and address literals). */
    static HostResolver hosts() {
        return HostResolver.table(Map.ofEntries(
                Map.entry("localhost", "localhost"),
                Map.entry("[127.0.0.1]", "localhost"),
                Map.entry("mail.example.com", "mail.example.com"),
                Map.entry("mail", "mail.example.com"),
                Map.entry("[127.0.1.1]", "mail.example.com"),
                Map.entry("client.example.net", "client.example.net"),
                Map.entry("example.net", "client.example.net"),
                Map.entry("[198.51.100.10]", "client.example.net"),
                Map.entry("mx.example.org", "mx.example.org"),
                Map.entry("example.org", "mx.example.org"),
                Map.entry("[198.51.100.20]", "mx.example.org")));
    }

    /** What the m4-generated .cf defines that the tests can see: $j, $w, $n, class w and class P. */
    static RuleFileParser.Options options() {
        return new RuleFileParser.Options(
                Map.of("j", "mail.example.com", "w", "mail", "n", "MAILER-DAEMON"),
                Map.of("w", CLASS_W, "P", List.of(".")),
                Tokenizer.DEFAULT_OPERATORS, '.', false);
    }

    /**
     * The sendmail lines of a variant's .mc fragment (its LOCAL_CONFIG and LOCAL_RULESETS parts) as a
     * Tacit rules file: m4 passes these lines through to the .cf unchanged.
     */
    static String rulesOf(String variant) throws IOException {
        // skipped lines stay as empty lines, so line numbers are the .mc file's
        return read("variants/" + variant + ".mc").lines()
                .map(l -> l.startsWith("dnl") || l.startsWith("define(") || l.startsWith("LOCAL_") || l.contains("(`")
                        ? "" : l)
                .collect(Collectors.joining("\n", "", "\n"));
    }

    static RuleSets load(String variant, boolean lenient) throws IOException, RulesException {
        return RuleFileParser.parse(rulesOf(variant), variant + ".mc", dir().resolve("variants"),
                options().lenient(lenient));
    }

    static RewriteEnvironment env(RuleSets sets) {
        return RewriteEnvironment.of(hosts());
    }
}
