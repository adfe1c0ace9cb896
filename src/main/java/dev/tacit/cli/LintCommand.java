package dev.tacit.cli;

import dev.tacit.findings.ExitCodes;
import dev.tacit.findings.Report;
import dev.tacit.findings.ReportFormat;
import dev.tacit.findings.Severity;
import dev.tacit.lint.ConfigType;
import dev.tacit.lint.Edit;
import dev.tacit.lint.Fixer;
import dev.tacit.lint.LintException;
import dev.tacit.lint.Linter;
import dev.tacit.lint.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tacit lint FILE...}: static checks of sendmail, Postfix, Exim and Tacit configurations for
 * user-enumeration exposure, for CI pipelines. Exit 0 when nothing is at or above --fail-on, 1 when
 * something is, 2 for a usage error or a file that cannot be parsed (one line naming file and line).
 * {@code --fix} edits in place only where the fix is unambiguous, keeps FILE.tacit-bak, prints the
 * diff and then reports what is left; {@code --fix --dry-run} prints only the diff (exit 1 when there
 * is one). Rules: docs/lint-rules.md.
 */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Check sendmail, Postfix, Exim and Tacit configs for user-enumeration exposure.",
                "Postfix main.cf and master.cf given together are read as one configuration."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no finding at or above --fail-on", "1:findings (or, with --dry-run, a diff)",
                "2:usage error or a file that cannot be parsed"})
public final class LintCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "config files to check")
    List<Path> files;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "sendmail-cf, sendmail-mc, postfix, exim or tacit (default: detected from name and content)")
    String type;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), json, sarif or junit")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "write the report here instead of standard output")
    Path output;

    @Option(names = "--fail-on", paramLabel = "SEVERITY", defaultValue = "low",
            description = "exit 1 when a finding is at or above this: info, low (default), medium, high, critical")
    String failOn;

    @Option(names = "--fix", description = "edit the files where the fix is unambiguous (backup in FILE.tacit-bak)")
    boolean fix;

    @Option(names = "--dry-run", description = "with --fix: print the diff, change nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        ConfigType forced;
        ReportFormat fmt;
        Severity threshold;
        try {
            forced = type == null ? null : ConfigType.parse(type);
            fmt = ReportFormat.parse(format);
            threshold = Severity.parse(failOn);
        } catch (IllegalArgumentException e) {
            err.println("tacit lint: " + (e.getMessage().startsWith("No enum") ? "unknown severity \"" + failOn
                    + "\" (use info, low, medium, high or critical)" : e.getMessage()));
            return ExitCodes.USAGE;
        }
        if (dryRun && !fix) {
            err.println("tacit lint: --dry-run only makes sense with --fix");
            return ExitCodes.USAGE;
        }
        Linter linter = new Linter();
        try {
            Linter.Result result = linter.lint(files, forced);
            if (fix) {
                boolean changed = false;
                for (Map.Entry<SourceFile, List<Edit>> e : result.editsByFile().entrySet()) {
                    String diff = Fixer.diff(e.getKey(), e.getValue());
                    if (diff.isEmpty()) {
                        continue;
                    }
                    changed = true;
                    out.print(diff);
                    if (!dryRun) {
                        Path backup = Fixer.write(e.getKey(), Fixer.apply(e.getKey(), e.getValue()));
                        err.println("tacit lint: fixed " + e.getKey().display() + " (original kept as " + backup + ")");
                    }
                }
                out.flush();
                if (dryRun) {
                    return changed ? ExitCodes.FINDINGS : ExitCodes.OK;
                }
                result = linter.lint(files, forced); // report what is left
            }
            Report report = new Report("tacit", version(), null, result.findings(), result.rulesChecked(),
                    result.targets(), threshold);
            if (output != null) {
                try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    fmt.writer().write(report, w);
                }
            } else {
                fmt.writer().write(report, out);
            }
            return report.exitCode();
        } catch (LintException e) {
            err.println("tacit lint: " + e.oneLine());
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("tacit lint: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (RuntimeException e) {
            // a bug, not bad input; still one line, never a stack trace in a CI log
            err.println("tacit lint: internal error: " + e);
            return ExitCodes.USAGE;
        }
    }

    static String version() {
        String v = LintCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
