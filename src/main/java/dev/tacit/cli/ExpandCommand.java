package dev.tacit.cli;

import dev.tacit.config.TacitConfig;
import dev.tacit.directory.AddressParser;
import dev.tacit.directory.Directories;
import dev.tacit.directory.Directory;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expander;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.Expansion.Node;
import dev.tacit.directory.Target;
import dev.tacit.directory.User;
import dev.tacit.policy.SendmailVerifier;
import dev.tacit.smtp.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tacit expand ADDRESS}: the expansion tree of an address, like {@code sendmail -bv}, for
 * admins debugging lists: what each name became, where each alias is defined, what cannot be
 * delivered and why, then the final recipients in the order the server would list them. Reads the
 * configured backend; sends nothing.
 */
@Command(name = "expand", mixinStandardHelpOptions = true,
        description = {"Show what an address or alias expands to, as a tree (like sendmail -bv).",
                "Lists are handed on last member first, as sendmail does, so a name can show as a",
                "duplicate above the place it is delivered from. Exit status 1 if some part cannot be delivered."})
final class ExpandCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "tacit.toml", description = "the server's tacit.toml (default: ${DEFAULT-VALUE})")
    Path config;

    @Parameters(paramLabel = "ADDRESS", arity = "1..*", description = "a local name, an address, or a comma list")
    List<String> addresses;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TacitConfig cfg = DirectoryCommand.load(config);
        if (cfg.privacy().has(dev.tacit.policy.PrivacyOptions.Flag.RESTRICTEXPAND)) {
            // sendmail's restrictexpand keeps -bv from other users; here: only the data folder's owner expands
            Ownership.require(cfg.dataDir(), "restrictexpand", "expand addresses");
        }
        var domains = Directories.localDomains(cfg);
        try (Directory d = Directories.open(cfg, domains, false)) {
            Expander x = new Expander(d, domains, Directories.options(cfg.directory()));
            int problems = 0;
            for (String address : addresses) {
                Expansion e = x.run(address, Expander.Mode.DELIVER);
                for (Node n : e.tree()) {
                    print(out, n, 0);
                }
                for (Expansion.Problem p : e.problems()) {
                    if (p instanceof Expansion.Problem.LoopBroken) {
                        out.println(SendmailVerifier.error(p));
                    }
                }
                out.println(e.entries().isEmpty() ? "=> nothing to deliver" : "=> delivered to, in order:");
                for (Expansion.Entry en : e.entries()) {
                    out.println("   " + describe(en, cfg.hostname()));
                }
                out.println();
                problems += e.problems().size();
            }
            out.flush();
            return problems == 0 ? 0 : 1;
        } catch (DirectoryUnavailableException e) {
            throw new CliException("expand: directory unavailable: " + e.getMessage(), 75);
        } catch (IOException e) {
            throw new CliException(e.getMessage(), 1);
        }
    }

    private static String describe(Expansion.Entry en, String host) {
        return switch (en.kind()) {
            case LOCAL -> {
                User u = ((Target.Local) en.target()).user();
                yield (en.fullName() == null ? "" : en.fullName() + " ") + "<" + en.user() + "@" + host + ">  mailbox "
                        + (u.mailbox() != null ? u.mailbox() : "mail/" + u.login());
            }
            case REMOTE -> "<" + en.user() + ">  remote";
            case PROGRAM -> "<" + en.user() + ">  program (never run by Tacit)";
            case FILE -> "<" + en.user() + ">  file (never written by Tacit)";
            case ALIAS -> "<" + en.user() + "@" + host + ">";
        };
    }

    private static void print(PrintWriter out, Node n, int depth) {
        String indent = "  ".repeat(depth);
        String typed = n.address().typed();
        String what = switch (n.state()) {
            case EXPANDED -> "aliased to " + children(n) + (n.source() == null ? "" : " (" + n.source() + ")");
            case INCLUDED -> "including file " + ((AddressParser.Include) n.address()).path();
            case DUPLICATE -> "duplicate suppressed";
            case SKIPPED -> "loops back to an earlier name; delivered there";
            case BAD -> {
                Reply r = SendmailVerifier.error(n.problem());
                yield r.toString();
            }
            case LIVE -> switch (n.address()) {
                case AddressParser.Local l -> "deliverable: mailer local, user " + l.user()
                        + (n.fullName() == null ? "" : " (" + n.fullName() + ")") + (n.source() == null ? "" : ", also aliased (" + n.source() + ")");
                case AddressParser.Remote r -> "deliverable: mailer esmtp, host " + r.host() + ", user " + r.address();
                case AddressParser.Program p -> "deliverable: mailer prog, user " + p.command();
                case AddressParser.FileTarget f -> "deliverable: mailer *file*, user " + f.path();
                default -> "deliverable";
            };
        };
        out.println(indent + typed + "... " + what);
        for (Node c : n.children()) {
            print(out, c, depth + 1);
        }
    }

    private static String children(Node n) {
        return String.join(", ", n.children().stream().map(c -> c.address().typed()).toList());
    }
}
