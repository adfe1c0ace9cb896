package dev.tacit.bench;

import dev.tacit.rules.CheckResult;
import dev.tacit.rules.PolicyCheck;
import dev.tacit.rules.RewriteEnvironment;
import dev.tacit.rules.RuleFileParser;
import dev.tacit.rules.RuleSets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A selective {@code check_vrfy} rule set (the seed's postmaster/abuse example, through
 * {@code canonify}) run on typical VRFY arguments, fail-closed as the server runs it.
 * Run with {@code bench/jmh.sh RuleEngineBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RuleEngineBench {

    static final String SELECTIVE = "Scheck_vrfy\n"
            + "R $*\t$: $>canonify $1\n"
            + "R $* <@ $=w . > $*\t$: $1\n"
            + "R postmaster\t$# error $@ 2.5.1 $: \"251 <postmaster@$j>\"\n"
            + "R abuse\t$# error $@ 2.5.1 $: \"251 <abuse@$j>\"\n"
            + "R $*\t$# error $@ 2.5.2 $: \"252 VRFY forbidden\"\n";

    @Param({"postmaster", "<gw@mail.example.com>", "George Washington (the first)", "gw, tj, jm, am"})
    public String argument;

    private PolicyCheck check;

    @Setup
    public void load() throws Exception {
        Path dir = Files.createTempDirectory("tacit-jmh-rules");
        Path f = dir.resolve("selective.rules");
        Files.writeString(f, SELECTIVE);
        RuleSets sets = RuleFileParser.load(f, RuleFileParser.Options.forHost("mail.example.com", List.of("example.com")));
        check = new PolicyCheck(sets, RewriteEnvironment.of(sets));
        Files.delete(f);
        Files.delete(dir);
        if (!(check.checkFailClosed("check_vrfy", "postmaster") instanceof CheckResult.Reject)) {
            throw new IllegalStateException("rule set did not load as expected");
        }
    }

    @Benchmark
    public CheckResult checkVrfy() {
        return check.checkFailClosed("check_vrfy", argument);
    }
}
