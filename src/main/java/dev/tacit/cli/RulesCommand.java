package dev.tacit.cli;

import dev.tacit.rules.AddressTester;
import dev.tacit.rules.HostResolver;
import dev.tacit.rules.RewriteEnvironment;
import dev.tacit.rules.RuleFileParser;
import dev.tacit.rules.RuleSets;
import dev.tacit.rules.RulesException;
import dev.tacit.rules.SendmailCf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tacit rules ...}: work with sendmail rule sets. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with sendmail-syntax rule sets.",
        subcommands = {RulesCommand.Test.class, CommandLine.HelpCommand.class})
final class RulesCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code tacit rules test}: sendmail's address test mode ({@code sendmail -bt}) on a rules file or a
     * sendmail.cf. With LINE arguments each is run and its output printed; without, lines are read
     * from stdin and the session looks exactly like sendmail's (banner, {@code > } prompts).
     */
    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Run rule sets on addresses, as sendmail -bt does.",
                "Lines: <set>[,<set>...] <address>   $=X   $x   .Dx value   .CX words   =S<set>"})
    static final class Test implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--rules", required = true, paramLabel = "FILE", description = "rules file (or sendmail.cf with --cf)")
        Path rules;

        @Option(names = "--cf", description = "FILE is a sendmail.cf: import check_vrfy/check_expn and the sets they call")
        boolean cf;

        @Option(names = "--hostname", paramLabel = "H", description = "this host's name: $j, and class w (default: the machine's name)")
        String hostname;

        @Option(names = "--local-domain", paramLabel = "D", description = "another name of this host (class w); repeatable")
        List<String> localDomains = new ArrayList<>();

        @Parameters(paramLabel = "LINE", arity = "0..*", description = "test lines; stdin when none")
        List<String> lines = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String host = hostname != null ? hostname : defaultHostname();
            RuleFileParser.Options options = RuleFileParser.Options.forHost(host, localDomains);
            RuleSets sets;
            List<String> notes;
            try {
                if (cf) {
                    SendmailCf.Import imp = SendmailCf.read(rules, options);
                    sets = imp.ruleSets();
                    notes = new ArrayList<>(imp.warnings());
                    if (imp.privacyOptions() != null) {
                        notes.add(rules + ": PrivacyOptions=" + imp.privacyOptions());
                    }
                    if (imp.logLevel() != null) {
                        notes.add(rules + ": LogLevel=" + imp.logLevel());
                    }
                } else {
                    sets = RuleFileParser.load(rules, options);
                    notes = new ArrayList<>();
                }
            } catch (RulesException e) {
                for (String line : e.errors()) {
                    err.println("tacit: " + line);
                }
                err.flush();
                return 2;
            }
            notes.addAll(sets.warnings());
            for (String n : notes) {
                err.println("tacit: " + n);
            }
            err.flush();
            AddressTester tester = new AddressTester(sets, RewriteEnvironment.of(resolver(host, localDomains)));
            StringBuilder buf = new StringBuilder();
            if (!lines.isEmpty()) {
                for (String l : lines) {
                    tester.line(l, buf);
                    if (tester.quitRequested()) {
                        break;
                    }
                }
                out.print(buf);
                out.flush();
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.ISO_8859_1));
            tester.session(in, buf, () -> {
                out.print(buf);
                out.flush();
                buf.setLength(0);
            });
            return 0;
        }

        /** The host's names canonicalise to the host name; local domains to themselves. */
        static HostResolver resolver(String host, List<String> localDomains) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(host, host);
            int dot = host.indexOf('.');
            if (dot > 0) {
                m.put(host.substring(0, dot), host);
            }
            for (String d : localDomains) {
                m.putIfAbsent(d, d);
            }
            m.putIfAbsent("localhost", "localhost");
            m.putIfAbsent("[127.0.0.1]", "localhost");
            return HostResolver.table(m);
        }

        static String defaultHostname() {
            try {
                String h = InetAddress.getLocalHost().getCanonicalHostName();
                return h.isEmpty() ? "localhost" : h;
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }
}
