package dev.tacit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tacit} command line. Each subcommand is a thin shell over the domain packages. */
@Command(name = "tacit", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Tacit: a mail server that keeps its users private, an enumeration auditor and a config linter.",
        subcommands = {ServeCommand.class, DemoCommand.class, MailqCommand.class, RunqCommand.class, AuditCommand.class, LintCommand.class,
                RulesCommand.class, DirectoryCommand.class, ExpandCommand.class, PasswdCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        dev.tacit.server.Pollers.configure(); // before any socket blocks a virtual thread
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, with the streams picocli writes usage and errors to. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof CliException ce) {
                cmd.getErr().println("tacit: " + ce.getMessage());
                return ce.exitCode();
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version in the jar's manifest, or "development build". */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tacit " + (v == null ? "development build" : v)};
        }
    }
}
