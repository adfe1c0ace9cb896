package dev.tacit.cli;

import dev.tacit.audit.AuditOptions;
import dev.tacit.audit.AuditReport;
import dev.tacit.audit.Auditor;
import dev.tacit.audit.Method;
import dev.tacit.audit.Progress;
import dev.tacit.audit.Target;
import dev.tacit.audit.TargetReport;
import dev.tacit.audit.Targets;
import dev.tacit.audit.report.AuditHtml;
import dev.tacit.audit.report.AuditJson;
import dev.tacit.audit.report.AuditText;
import dev.tacit.findings.ExitCodes;
import dev.tacit.findings.Report;
import dev.tacit.findings.ReportFormat;
import dev.tacit.findings.Severity;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tacit audit TARGET...}: find user enumeration and probe commands on mail servers, name the
 * fix, verify it. Exit codes: 0 nothing at or above {@code --fail-on}, 1 findings (or, with
 * {@code --expect-closed}, a method still open), 2 usage or connection error.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Audit SMTP servers for user enumeration (VRFY, EXPN, RCPT), probe commands, TLS and relaying.",
                "TARGET is host, host:port, [ipv6]:port or a domain (audits its MX hosts)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:nothing at or above --fail-on (with --expect-closed: VRFY/EXPN closed)",
                "1:findings at or above --fail-on (with --expect-closed: still open)", "2:usage or connection error"})
final class AuditCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "servers to audit")
    List<String> targets = new ArrayList<>();

    @Option(names = {"-T", "--targets"}, paramLabel = "FILE", description = "a file of targets, one a line (# comments)")
    List<Path> targetFiles = new ArrayList<>();

    @Option(names = "--users", paramLabel = "FILE", description = "wordlist to enumerate (one name a line) with the best method found")
    Path users;

    @Option(names = "--known", split = ",", paramLabel = "NAME", description = "names known to exist, compared with the canaries")
    List<String> known = new ArrayList<>();

    @Option(names = "--domain", paramLabel = "DOMAIN", description = "mail domain for RCPT probes (default: the MX domain or the server's name)")
    String domain;

    @Option(names = "--timing", description = "also test whether reply times tell users apart (Mann-Whitney U)")
    boolean timing;

    @Option(names = "--timing-samples", defaultValue = "30", paramLabel = "N", description = "samples per group for --timing (default: ${DEFAULT-VALUE})")
    int timingSamples;

    @Option(names = {"-f", "--format"}, defaultValue = "text", paramLabel = "FORMAT", description = "text, json, sarif, junit or html (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the report here instead of standard output")
    Path output;

    @Option(names = "--fail-on", defaultValue = "low", paramLabel = "SEVERITY", description = "exit 1 on a finding at or above: info, low, medium, high, critical (default: ${DEFAULT-VALUE})")
    String failOn;

    @Option(names = "--expect-closed", arity = "0..1", fallbackValue = "VRFY,EXPN", paramLabel = "METHODS",
            description = "verify a fix: exit 0 only if these methods (default VRFY,EXPN) no longer tell users apart")
    String expectClosed;

    @Option(names = "--rate", defaultValue = "20", paramLabel = "N", description = "names per second per target while enumerating; 0 = no limit (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--concurrency", defaultValue = "2", paramLabel = "N", description = "connections per target while enumerating (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--timeout", defaultValue = "15", paramLabel = "SECONDS", description = "longest wait for one reply (default: ${DEFAULT-VALUE})")
    double timeout;

    @Option(names = "--helo", defaultValue = "tacit-audit.invalid", paramLabel = "NAME", description = "name sent with EHLO (default: ${DEFAULT-VALUE})")
    String helo;

    @Option(names = "--mail-from", defaultValue = "", paramLabel = "ADDRESS", description = "sender for RCPT probes (default: the null sender <>)")
    String mailFrom;

    @Option(names = "--no-starttls", description = "do not use STARTTLS even when offered")
    boolean noStartTls;

    @Option(names = "--no-relay-check", description = "skip the open-relay check")
    boolean noRelay;

    @Option(names = "--no-probe-commands", description = "skip DEBUG, SHOWQ, WIZ, VERB and ETRN")
    boolean noProbes;

    @Override
    public Integer call() {
        String fmt = format.strip().toLowerCase(Locale.ROOT);
        if (!List.of("text", "json", "sarif", "junit", "html").contains(fmt)) {
            throw new CliException("unknown format \"" + format + "\" (use text, json, sarif, junit or html)", ExitCodes.USAGE);
        }
        Severity threshold;
        try {
            threshold = Severity.parse(failOn);
        } catch (IllegalArgumentException e) {
            throw new CliException("unknown severity \"" + failOn + "\" for --fail-on (use info, low, medium, high or critical)", ExitCodes.USAGE);
        }
        List<Method> closed = expectClosed == null ? null : parseMethods(expectClosed);
        if (rate < 0 || concurrency < 1 || concurrency > 64 || timeout <= 0 || timingSamples < 5 || timingSamples > 1000) {
            throw new CliException("--rate must be >= 0, --concurrency 1-64, --timeout > 0, --timing-samples 5-1000", ExitCodes.USAGE);
        }
        List<Target> list;
        try {
            Targets parser = new Targets();
            list = new ArrayList<>(parser.parse(targets));
            list.addAll(parser.parseFiles(targetFiles));
        } catch (Targets.BadTarget e) {
            throw new CliException(e.getMessage(), ExitCodes.USAGE);
        }
        if (list.isEmpty()) {
            throw new CliException("no target: give TARGET... or --targets FILE", ExitCodes.USAGE);
        }
        List<String> words = users == null ? List.of() : readWordlist(users);
        Duration read = Duration.ofMillis((long) (timeout * 1000));
        AuditOptions opts = AuditOptions.defaults()
                .withTimeouts(read, Duration.ofMillis(Math.min(2000, read.toMillis() / 2)))
                .withSender(helo, mailFrom).withDomain(domain).withKnown(known).withUsers(words)
                .withTiming(timing, timingSamples).withPace(concurrency, rate).withChecks(!noStartTls, !noRelay, !noProbes);

        PrintStream err = System.err;
        boolean progressLine = terminal() && (output != null || fmt.equals("text"));
        Progress progress = progressLine ? new ProgressLine(err) : Progress.NONE;
        Instant started = Instant.now();
        List<TargetReport> reports = new ArrayList<>();
        for (Target t : list) {
            if (progressLine) {
                err.print("\rauditing " + t.display() + " ...\033[K");
                err.flush();
            }
            reports.add(new Auditor(opts, progress).audit(t));
        }
        if (progressLine) {
            err.print("\r\033[K");
            err.flush();
        }
        AuditReport report = new AuditReport(started, Instant.now(), reports);
        write(render(report, fmt, threshold));

        for (TargetReport r : reports) {
            if (!r.ok()) {
                err.println("tacit: " + r.target().display() + ": " + r.error());
            }
        }
        if (reports.stream().anyMatch(r -> !r.ok())) {
            return ExitCodes.USAGE;
        }
        if (closed != null) {
            int rc = ExitCodes.OK;
            for (TargetReport r : reports) {
                if (r.openFor(closed)) {
                    err.println("tacit: " + r.target().display() + ": still open: " + r.methods().values().stream()
                            .filter(m -> closed.contains(m.method()) && m.verdict() == dev.tacit.audit.Verdict.VERIFIES)
                            .map(m -> m.method() + " " + m.verdict().label()).toList());
                    rc = ExitCodes.FINDINGS;
                }
            }
            return rc;
        }
        return ExitCodes.forFindings(report.findings(), threshold);
    }

    static List<Method> parseMethods(String s) {
        List<Method> out = new ArrayList<>();
        for (String w : s.split("[,\\s]+")) {
            if (w.isBlank()) {
                continue;
            }
            try {
                out.add(Method.valueOf(w.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CliException("unknown method \"" + w + "\" for --expect-closed (use VRFY, EXPN, RCPT)", ExitCodes.USAGE);
            }
        }
        return out;
    }

    static List<String> readWordlist(Path p) {
        List<String> lines;
        try {
            lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new CliException(p + ": cannot read the wordlist: " + e.getMessage(), ExitCodes.USAGE);
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String w = lines.get(i).strip();
            if (w.isEmpty() || w.startsWith("#")) {
                continue;
            }
            // a name goes into a command line: no spaces, controls or angle brackets (no command injection)
            if (!w.matches("[A-Za-z0-9._+=~!#$%&'*/?^`{|}-]{1,64}")) {
                throw new CliException(p + ":" + (i + 1) + ": not a plain user name: " + w.replaceAll("\\p{Cntrl}", "?"), ExitCodes.USAGE);
            }
            out.add(w);
        }
        return new ArrayList<>(out);
    }

    private String render(AuditReport report, String fmt, Severity threshold) {
        return switch (fmt) {
            case "json" -> AuditJson.render(report);
            case "html" -> AuditHtml.render(report);
            case "sarif", "junit" -> {
                Report r = new Report("tacit audit", Main.version(), null, report.findings(), List.of(),
                        report.targets().stream().map(t -> t.target().uri()).toList(), threshold);
                StringWriter sw = new StringWriter();
                try {
                    ReportFormat.parse(fmt).writer().write(r, sw);
                } catch (IOException e) {
                    throw new CliException("cannot render the report: " + e.getMessage(), ExitCodes.USAGE);
                }
                yield sw.toString();
            }
            default -> AuditText.render(report);
        };
    }

    private void write(String text) {
        if (output == null) {
            System.out.print(text);
            System.out.flush();
            return;
        }
        try {
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(output + ": cannot write the report: " + e.getMessage(), ExitCodes.USAGE);
        }
    }

    /** Whether standard error is an interactive terminal (Console.isTerminal is JDK 22+, so by reflection). */
    static boolean terminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** "\r<target> 1234/10000 names, 3 found" at most five times a second. */
    static final class ProgressLine implements Progress {
        private final PrintStream out;
        private long last;

        ProgressLine(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void update(Target target, int done, int total, int found) {
            long now = System.nanoTime();
            if (done < total && now - last < 200_000_000L) {
                return;
            }
            last = now;
            out.print("\r" + target.display() + ": " + done + "/" + total + " names, " + found + " found\033[K");
            out.flush();
        }
    }
}
