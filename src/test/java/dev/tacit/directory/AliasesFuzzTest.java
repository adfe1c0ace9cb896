package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tacit.policy.SendmailVerifier;
import dev.tacit.smtp.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the file directory: an aliases(5) file, a users file and a list it may {@code :include:}
 * (the input split at pairs of NUL bytes, in that order), loaded as {@code tacit serve} loads them, then every
 * alias and user expanded in each mode and answered to VRFY and EXPN in sendmail's format.
 * Invariants: loading never throws; it gives a directory or errors, each one line naming its file;
 * expansions and replies never throw, and every reply is valid SMTP (no CR or LF smuggled in from a
 * full name or an alias). The first input byte allows program and file targets (bits 0 and 1).
 */
class AliasesFuzzTest {

    private static final LocalDomains DOMAINS = new LocalDomains("mail.example.com", List.of("example.com"), List.of());
    private static Path dir;

    @BeforeAll
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("tacit-aliases-fuzz");
    }

    @AfterAll
    static void removeDir() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/directory/aliases.dict")
    void files(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        Expander.Options options = new Expander.Options(Expander.MAX_DEPTH, (input[0] & 1) != 0, (input[0] & 2) != 0);
        List<byte[]> parts = split(Arrays.copyOfRange(input, 1, input.length));
        Path aliases = dir.resolve("aliases");
        Path users = dir.resolve("users");
        Path include = dir.resolve("inc.list");
        Files.write(aliases, parts.get(0));
        write(users, parts.size() > 1 ? parts.get(1) : null);
        write(include, parts.size() > 2 ? parts.get(2) : null);

        FileDirectory.Loaded loaded = FileDirectory.load(users, aliases, DOMAINS, options);
        if (!loaded.ok()) {
            assertThat(loaded.directory()).isNull();
            for (FileError e : loaded.errors()) {
                String line = e.toString();
                assertThat(line).as(line).doesNotContain("\n", "\r").startsWith(dir.toString());
            }
            return;
        }
        FileDirectory d = loaded.directory();
        Expander expander = new Expander(d, DOMAINS, options);
        SendmailVerifier verifier = new SendmailVerifier(expander, "mail.example.com");
        List<String> names = new ArrayList<>(List.of("postmaster", "gw", "all", "nobody@example.com"));
        d.allAliases().stream().limit(20).forEach(a -> names.add(a.name()));
        d.allUsers().stream().limit(20).forEach(u -> names.add(u.login()));
        for (String name : names) {
            for (Expander.Mode mode : Expander.Mode.values()) {
                Expansion x = expander.run(name, mode);
                assertThat(x.entries().size()).isLessThanOrEqualTo(1_000_000);
            }
            check(verifier.vrfy(name));
            check(verifier.expn(name));
        }
    }

    private static void check(Reply r) {
        String wire = r.toWire();
        for (String line : wire.substring(0, wire.length() - 2).split("\r\n", -1)) {
            assertThat(line).matches("[245]\\d\\d[ -][^\r\n]*");
        }
    }

    private static void write(Path p, byte[] data) throws IOException {
        if (data == null) {
            Files.deleteIfExists(p);
        } else {
            Files.write(p, data);
        }
    }

    /** Parts separated by two NUL bytes (a single NUL may appear inside a file). */
    private static List<byte[]> split(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i <= data.length) {
            if (i == data.length) {
                out.add(Arrays.copyOfRange(data, start, i));
                break;
            }
            if (data[i] == 0 && i + 1 < data.length && data[i + 1] == 0) {
                out.add(Arrays.copyOfRange(data, start, i));
                start = i + 2;
                i += 2;
            } else {
                i++;
            }
        }
        return out;
    }
}
