package dev.tacit.directory;

import dev.tacit.testing.External;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The directory the sendmail oracle ran with (src/test/resources/oracle-directory): its passwd
 * entries as a users file, its aliases file and the list it includes, written into a server folder.
 */
final class OracleData {

    static final Path DIR = External.projectDir().resolve("src/test/resources/oracle-directory");
    static final Path SCENARIOS = DIR.resolve("scenarios");
    static final Path TRANSCRIPTS = DIR.resolve("transcripts");

    /**
     * Top-level keys for sendmail's own answers: public privacy options, no enumeration defence, and
     * loopback trusted so the cross-connection guard does not count the probes of one test run.
     */
    static final String SENDMAIL_ANSWERS = """
            privacy_options = "public"
            enumeration_defense = false
            trusted_networks = ["127.0.0.0/8"]
            """;

    /** The settings every backend runs the oracle scenarios with (the oracle has |prog and /file). */
    static final String TOML = SENDMAIL_ANSWERS + """
            [directory]
            allow_program_targets = true
            allow_file_targets = true
            """;

    private OracleData() {}

    /** Writes users, aliases and inc.list into dir. */
    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(DIR.resolve("passwd"), dir.resolve("users"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(DIR.resolve("inc.list"), dir.resolve("inc.list"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("aliases"),
                Files.readString(DIR.resolve("aliases.in")).replace("@DIR@", dir.toAbsolutePath().toString()));
    }

    static String users() throws IOException {
        return Files.readString(DIR.resolve("passwd"));
    }

    /** The same data, parsed, for copying into a database or an LDAP server. */
    static FileDirectory load(Path dir) {
        LocalDomains d = new LocalDomains("mail.example.com", List.of("example.com"), List.of("127.0.0.1"));
        FileDirectory.Loaded l = FileDirectory.load(dir.resolve("users"), dir.resolve("aliases"), d,
                new Expander.Options(10, true, true));
        if (!l.ok()) {
            throw new IllegalStateException(l.errors().toString());
        }
        return l.directory();
    }
}
