package dev.tacit.lint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tacit.findings.Finding;
import dev.tacit.findings.Report;
import dev.tacit.findings.ReportFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@code tacit lint} end to end on files: format detection, the parsers (sendmail.cf, .mc with
 * its m4, Postfix main.cf and master.cf, Exim with .include and .ifdef), the checkers (check_vrfy and
 * check_expn run in the rules engine), the report writers and {@code --fix}. Invariants:
 * <ul>
 *   <li>a file is linted or refused with a {@link LintException} that is one line naming the file;
 *       nothing else is ever thrown;</li>
 *   <li>every report format renders, and the JSON, SARIF and JUnit ones are well-formed documents
 *       (what a config file contains is escaped, control characters included);</li>
 *   <li>the fixes apply and diff, and a file that linted cleanly still lints after its fixes.</li>
 * </ul>
 * Two files come from one input split at the first NUL byte (.mc and .cf; main.cf and master.cf;
 * Exim's configure and a file it may include).
 */
class LintFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;

    @BeforeAll
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("tacit-lint-fuzz");
    }

    @AfterAll
    static void removeDir() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/lint/sendmail.dict")
    void sendmail(byte[] data) throws Exception {
        String[] parts = split(data);
        List<Path> files = new ArrayList<>();
        files.add(write("sendmail.cf", parts[0]));
        if (parts[1] != null) {
            files.add(write("sendmail.mc", parts[1]));
        }
        lintAndCheck(files);
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/lint/postfix.dict")
    void postfix(byte[] data) throws Exception {
        String[] parts = split(data);
        List<Path> files = new ArrayList<>();
        files.add(write("main.cf", parts[0]));
        if (parts[1] != null) {
            files.add(write("master.cf", parts[1]));
        }
        lintAndCheck(files);
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "/dev/tacit/lint/exim.dict")
    void exim(byte[] data) throws Exception {
        String[] parts = split(data);
        Files.deleteIfExists(dir.resolve("inc.conf"));
        if (parts[1] != null) {
            write("inc.conf", parts[1]);
        }
        lintAndCheck(List.of(write("exim4.conf", parts[0])));
    }

    /** The input before the first NUL, and after it (null when there is none). */
    private static String[] split(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        return nul < 0 ? new String[] {s, null} : new String[] {s.substring(0, nul), s.substring(nul + 1)};
    }

    private static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.ISO_8859_1);
        return p;
    }

    private static void lintAndCheck(List<Path> files) throws Exception {
        Linter.Result r;
        try {
            r = new Linter().lint(files, null);
        } catch (LintException e) {
            assertOneLine(e, files);
            return;
        }
        render(r);
        for (Map.Entry<SourceFile, List<Edit>> e : r.editsByFile().entrySet()) {
            SourceFile f = e.getKey();
            String fixed = Fixer.apply(f, e.getValue());
            Fixer.diff(f, e.getValue());
            if (f.path() == null || !files.contains(f.path())) {
                continue; // an included file: the fix is checked through its includer's run
            }
            Path again = write(f.path().getFileName().toString(), fixed);
            try {
                new Linter().lint(files, null);
            } catch (LintException ex) {
                throw new AssertionError("--fix broke " + again.getFileName() + ": " + ex.oneLine()
                        + "\nbefore:\n" + f.text() + "\nafter:\n" + fixed, ex);
            }
        }
    }

    private static void assertOneLine(LintException e, List<Path> files) {
        String line = e.oneLine();
        assertThat(line).doesNotContain("\n");
        assertThat(line.startsWith(dir.toString())).as(line).isTrue();
        assertThat(files.stream().anyMatch(p -> line.startsWith(p.toString()))
                || line.startsWith(dir.toString())).isTrue();
    }

    /** Every format renders; the structured ones parse back. */
    private static void render(Linter.Result r) throws Exception {
        for (Finding f : r.findings()) {
            assertThat(f.location().line()).isGreaterThanOrEqualTo(0);
            assertThat(f.message()).isNotBlank();
        }
        Report report = new Report("tacit", "fuzz", null, r.findings(), r.rulesChecked(), r.targets(), null);
        for (ReportFormat fmt : ReportFormat.values()) {
            StringWriter w = new StringWriter();
            fmt.writer().write(report, w);
            String out = w.toString();
            switch (fmt) {
                case JSON, SARIF -> JSON.readTree(out);
                case JUNIT -> {
                    var factory = DocumentBuilderFactory.newInstance();
                    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                    factory.newDocumentBuilder().parse(new ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)));
                }
                case TEXT -> assertThat(out).isNotNull();
            }
        }
    }
}
