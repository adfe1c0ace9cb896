package dev.tacit.bench;

import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.PathArgument;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-command parsing cost: splitting a command line into verb and argument, then parsing the
 * MAIL/RCPT path and parameters. Every SMTP transaction pays these several times.
 * Run with {@code bench/jmh.sh ProtocolParseBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtocolParseBench {

    @Param({"MAIL FROM:<alice@example.org> SIZE=2048 BODY=8BITMIME",
        "RCPT TO:<bob.smith@mail.example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob.smith@mail.example.com",
        "RCPT TO:<@relay.example.net:\"odd name\"@example.com>"})
    public String line;

    @Benchmark
    public CommandLine commandLine() {
        return CommandLine.parse(line);
    }

    @Benchmark
    public PathArgument.Result commandAndPath() {
        CommandLine c = CommandLine.parse(line);
        boolean mail = c.verb().equals("MAIL");
        return PathArgument.parse(c.argument(), mail ? "FROM" : "TO",
                mail ? PathArgument.Kind.SENDER : PathArgument.Kind.RECIPIENT);
    }
}
