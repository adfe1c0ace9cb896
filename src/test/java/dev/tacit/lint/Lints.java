package dev.tacit.lint;

import dev.tacit.findings.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: writes fixtures to a folder and lints them. */
final class Lints {

    private Lints() {}

    static Path write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content.getBytes(StandardCharsets.ISO_8859_1));
        return p;
    }

    static Linter.Result lint(Path... files) throws LintException {
        return new Linter().lint(List.of(files), null);
    }

    static Linter.Result lint(Path dir, String name, String content) throws IOException, LintException {
        return lint(write(dir, name, content));
    }

    static List<String> ids(Linter.Result r) {
        List<String> out = new ArrayList<>();
        for (Finding f : r.findings()) {
            out.add(f.ruleId());
        }
        return out;
    }

    static Finding first(Linter.Result r, String id) {
        return r.findings().stream().filter(f -> f.ruleId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + id + " in " + ids(r)));
    }
}
