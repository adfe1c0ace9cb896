package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's "the session never runs SQL or LDAP itself": only the directory package (and the CLI's
 * `directory init`) may touch JDBC or the LDAP SDK; the SMTP session, policy and queue go through
 * {@link Directory}.
 */
class DirectoryLayeringTest {

    @Test
    void onlyTheDirectoryBackendsUseJdbcOrLdap() throws Exception {
        Path main = External.projectDir().resolve("src/main/java/dev/tacit");
        List<String> users;
        try (Stream<Path> files = Files.walk(main)) {
            users = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    String src = Files.readString(p);
                    return src.contains("import java.sql.") || src.contains("import com.unboundid.") || src.contains("java.sql.Connection");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(p -> main.relativize(p).toString()).sorted().toList();
        }
        assertThat(users).isNotEmpty().allMatch(p -> p.startsWith("directory/") || p.equals("cli/DirectoryCommand.java"));
        assertThat(users).contains("directory/PostgresDirectory.java", "directory/LdapDirectory.java");
    }
}
