package dev.tacit.lint;

import dev.tacit.findings.Severity;
import dev.tacit.lint.EximConfig.Acl;
import dev.tacit.lint.EximConfig.Item;
import dev.tacit.lint.EximConfig.Option;
import dev.tacit.lint.EximConfig.Router;
import dev.tacit.lint.EximConfig.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Exim checks: which clients the ACLs named by {@code acl_smtp_vrfy}/{@code acl_smtp_expn} accept
 * (walking the statements in order, as Exim does, to the first unconditional accept or deny; a
 * single word {@code accept} with no such ACL is Exim's built-in accept-all), the routers those
 * commands then run, and options from Exim 3 that Exim 4 rejects. Unset VRFY/EXPN ACLs are safe: Exim
 * then refuses EXPN and refuses VRFY (or, since 4.98, answers a neutral 252).
 *
 * <p>Routers (Exim spec, generic router options): EXPN skips a router with {@code expn} false or
 * {@code verify_only} set; VRFY is recipient verification, so it skips a router with {@code verify} or
 * {@code verify_recipient} false. The same recipient verification serves {@code verify = recipient}
 * in the RCPT ACL, which is why the VRFY finding never suggests {@code no_verify}: it would make valid
 * recipients fail verification. {@code no_expn} only affects EXPN, so EX404's fix adds it.
 */
public final class EximChecker {

    /** Exim 3 main options that Exim 4 does not know, and what replaced them. */
    static final Map<String, String> EXIM3 = Map.ofEntries(
            Map.entry("smtp_verify", "VRFY is controlled by acl_smtp_vrfy"),
            Map.entry("smtp_expn_hosts", "EXPN is controlled by acl_smtp_expn (accept hosts = ...)"),
            Map.entry("smtp_etrn_hosts", "ETRN is controlled by acl_smtp_etrn"),
            Map.entry("host_accept_relay", "relaying is controlled in acl_smtp_rcpt (hostlist relay_from_hosts)"),
            Map.entry("relay_domains", "use domainlist relay_to_domains and acl_smtp_rcpt"),
            Map.entry("host_reject", "use a deny statement in acl_smtp_connect"),
            Map.entry("host_reject_recipients", "use a deny statement in acl_smtp_rcpt"),
            Map.entry("sender_reject", "use deny senders = ... in acl_smtp_mail"),
            Map.entry("sender_accept", "use accept senders = ... in acl_smtp_mail"),
            Map.entry("sender_reject_recipients", "use deny senders = ... in acl_smtp_rcpt"),
            Map.entry("receiver_verify", "use require verify = recipient in acl_smtp_rcpt"),
            Map.entry("receiver_verify_hosts", "use require verify = recipient in acl_smtp_rcpt"),
            Map.entry("receiver_try_verify", "use verify = recipient in acl_smtp_rcpt"),
            Map.entry("sender_verify", "use require verify = sender in acl_smtp_rcpt"),
            Map.entry("sender_verify_hosts", "use require verify = sender in acl_smtp_rcpt"),
            Map.entry("sender_try_verify", "use verify = sender in acl_smtp_rcpt"),
            Map.entry("helo_verify", "use helo_verify_hosts"),
            Map.entry("rbl_domains", "use dnslists = ... in an ACL"),
            Map.entry("rbl_hosts", "use dnslists = ... in an ACL"),
            Map.entry("local_domains", "use domainlist local_domains"),
            Map.entry("prohibition_message", "use message = ... in the ACL statement"),
            Map.entry("recipients_reject_except", "use an ACL"),
            Map.entry("smtp_verify_hosts", "VRFY is controlled by acl_smtp_vrfy"));

    private static final Set<String> MODIFIERS = Set.of("message", "log_message", "logwrite", "delay", "control", "set",
            "add_header", "remove_header", "endpass", "log_reject_target", "queue", "continue", "udpsend", "debug");

    enum Kind { ACCEPTS_ALL, ACCEPTS_SOME, DENIES, NOT_FOUND }

    record Verdict(Kind kind, Item at, String detail) {}

    private EximChecker() {}

    public static void check(EximConfig c, LintContext ctx) {
        for (Option o : c.mainList) {
            String hint = EXIM3.get(o.name());
            if (hint != null) {
                ctx.report(LintRule.EX405, o.at().file(), o.at().line(), 1,
                        "\"" + o.name() + "\" is an Exim 3 option; Exim 4 refuses to start on it: " + hint, hint);
            }
        }
        for (Item end : c.exim3Ends) {
            ctx.report(LintRule.EX405, end.file(), end.line(), 1,
                    "an \"end\" line separates sections in Exim 3 configurations; Exim 4 uses \"begin <section>\"",
                    "convert the file to Exim 4 syntax (Exim 4.x ships convert4r4)");
        }
        Verdict expn = null;
        Verdict vrfy = null;
        for (String cmd : List.of("vrfy", "expn")) {
            Option opt = c.main.get("acl_smtp_" + cmd);
            if (opt == null) {
                continue;
            }
            Verdict v = evaluate(c, opt);
            String CMD = cmd.toUpperCase(Locale.ROOT);
            switch (v.kind()) {
                case ACCEPTS_ALL -> ctx.report(cmd.equals("vrfy") ? LintRule.EX401 : LintRule.EX402, v.at().file(), v.at().line(), 1,
                        "acl_smtp_" + cmd + " = " + opt.value() + ": " + v.detail() + ", so any client may " + CMD
                                + (cmd.equals("vrfy") ? " addresses" : " aliases and lists"),
                        "accept only your own hosts (accept hosts = 127.0.0.1 : +relay_from_hosts) or remove acl_smtp_" + cmd);
                case ACCEPTS_SOME -> ctx.report(LintRule.EX406, v.at().file(), v.at().line(), 1,
                        CMD + " is accepted for some clients: " + v.detail(), "make sure the list names only your own systems");
                case NOT_FOUND -> ctx.report(LintRule.EX403, opt.at().file(), opt.at().line(), 1,
                        "acl_smtp_" + cmd + " names ACL \"" + opt.value() + "\", which is not defined", "define it or remove the option");
                case DENIES -> { }
            }
            if (cmd.equals("expn")) {
                expn = v;
            } else {
                vrfy = v;
            }
        }
        if (expn != null && (expn.kind() == Kind.ACCEPTS_ALL || expn.kind() == Kind.ACCEPTS_SOME)) {
            for (Router r : c.routers) {
                if (!"redirect".equals(value(r, "driver")) || !isTrue(r, "expn", true) || isTrue(r, "verify_only", false)
                        || !expands(r)) {
                    continue;
                }
                ctx.report(LintRule.EX404, expn.kind() == Kind.ACCEPTS_ALL ? Severity.MEDIUM : Severity.LOW,
                        r.at().file(), r.at().line(), 1,
                        "router " + r.name() + " (redirect) has no no_expn, so EXPN lists the addresses it redirects to"
                                + (expn.kind() == Kind.ACCEPTS_ALL ? ", for any client" : ", for the clients the EXPN ACL accepts"),
                        "add no_expn to router " + r.name() + " (it only stops EXPN; delivery and verification are unchanged)");
                Edit e = addNoExpn(r);
                if (e != null) {
                    ctx.fix(e);
                }
            }
        }
        if (vrfy != null && (vrfy.kind() == Kind.ACCEPTS_ALL || vrfy.kind() == Kind.ACCEPTS_SOME)) {
            List<String> revealing = new ArrayList<>();
            for (Router r : c.routers) {
                if (!isTrue(r, "verify", true) || !isTrue(r, "verify_recipient", true)) {
                    continue; // VRFY skips it
                }
                if (isTrue(r, "check_local_user", false)) {
                    revealing.add(r.name() + " (check_local_user: system accounts)");
                } else if ("redirect".equals(value(r, "driver")) && expands(r)) {
                    revealing.add(r.name() + " (redirect: alias names)");
                }
            }
            if (!revealing.isEmpty()) {
                Option opt = c.main.get("acl_smtp_vrfy");
                ctx.report(LintRule.EX407, vrfy.kind() == Kind.ACCEPTS_ALL ? Severity.MEDIUM : Severity.LOW, opt.at().file(),
                        opt.at().line(), 1, "VRFY is accepted " + (vrfy.kind() == Kind.ACCEPTS_ALL ? "for any client" : "for some clients")
                                + " and runs routers that know local users, so 250 and 550 tell real names from unknown ones: "
                                + String.join(", ", revealing),
                        "restrict acl_smtp_vrfy to your own hosts or remove it; do not add no_verify to these routers: RCPT-time"
                                + " verify = recipient runs them too, so valid recipients would be refused");
            }
        }
    }

    private static String value(Router r, String name) {
        Option o = r.options().get(name);
        return o == null ? null : o.value().strip();
    }

    /** An Exim boolean router option: {@code name}, {@code no_name}/{@code not_name}, or {@code name = true|false|yes|no}. */
    static boolean isTrue(Router r, String name, boolean dflt) {
        String v = value(r, name);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "false", "no" -> false;
            case "true", "yes" -> true;
            default -> dflt;
        };
    }

    /** Whether a redirect router can expand to addresses: data or file, and not just a :fail:/:defer:/:blackhole: item. */
    private static boolean expands(Router r) {
        if (r.options().containsKey("file")) {
            return true;
        }
        String data = value(r, "data");
        if (data == null) {
            return false;
        }
        String d = data.replaceAll("^\"|\"$", "").strip();
        return !(d.startsWith(":fail:") || d.startsWith(":defer:") || d.startsWith(":blackhole:"));
    }

    /**
     * "no_expn" on the line after the router's name, indented like its first option. Only when the
     * router sets no expn option at all (Exim refuses an option set twice) and the name line is a line
     * of its own, not part of a continuation.
     */
    private static Edit addNoExpn(Router r) {
        if (r.options().containsKey("expn")) {
            return null;
        }
        SourceFile f = r.at().file();
        int n = r.at().line();
        if (n < 1 || n > f.lines().size() || f.line(n).text().stripTrailing().endsWith("\\")
                || (n > 1 && f.line(n - 1).text().stripTrailing().endsWith("\\"))) {
            return null;
        }
        String indent = "  ";
        for (Option o : r.options().values()) {
            if (o.at().file() == f && o.at().line() > n) {
                String t = f.line(o.at().line()).text();
                indent = t.substring(0, t.length() - t.stripLeading().length());
                break;
            }
        }
        return Edit.insertAfter(f, n, (indent.isEmpty() ? "  " : indent) + "no_expn", LintRule.EX404);
    }

    static Verdict evaluate(EximConfig c, Option opt) {
        String v = opt.value().strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1).strip();
        }
        if (v.isEmpty()) {
            return new Verdict(Kind.DENIES, opt.at(), "empty");
        }
        if (!v.contains(" ") && !v.startsWith("/")) {
            Acl acl = c.acls.get(v);
            if (acl != null) {
                return walk(acl.statements(), acl.at(), "ACL " + v);
            }
            if (v.equals("accept")) {
                return new Verdict(Kind.ACCEPTS_ALL, opt.at(), "the word accept is Exim's built-in ACL that accepts everything");
            }
            if (v.equals("deny")) {
                return new Verdict(Kind.DENIES, opt.at(), "");
            }
            return new Verdict(Kind.NOT_FOUND, opt.at(), "");
        }
        if (v.startsWith("/")) {
            return new Verdict(Kind.DENIES, opt.at(), "ACL read from a file at run time (not checked)");
        }
        // inline ACL text: statements separated by newlines
        List<Statement> stmts = new ArrayList<>();
        for (String line : v.split("\\\\n|\n")) {
            String[] w = line.strip().split("\\s+", 2);
            if (w[0].isEmpty()) {
                continue;
            }
            List<Option> conds = new ArrayList<>();
            if (w.length > 1) {
                int eq = w[1].indexOf('=');
                conds.add(eq < 0 ? new Option(w[1].strip(), "", opt.at())
                        : new Option(w[1].substring(0, eq).strip(), w[1].substring(eq + 1).strip(), opt.at()));
            }
            stmts.add(new Statement(w[0], conds, opt.at()));
        }
        return walk(stmts, opt.at(), "the inline ACL");
    }

    /**
     * Exim's order: the first statement whose conditions all hold decides; the end is an implicit
     * deny. A conditional accept lets some clients through and evaluation goes on for the others; a
     * deny/require with a (negated) host condition narrows every later statement to some clients.
     */
    static Verdict walk(List<Statement> statements, Item aclAt, String what) {
        boolean narrowed = false;
        Verdict some = null;
        for (Statement s : statements) {
            List<Option> conds = s.conditions().stream().filter(o -> !MODIFIERS.contains(o.name())).toList();
            boolean always = conds.stream().allMatch(EximChecker::matchesAll);
            switch (s.verb()) {
                case "accept", "discard" -> {
                    if (always && !narrowed) {
                        return new Verdict(Kind.ACCEPTS_ALL, s.at(), what + " accepts with no host condition (line "
                                + s.at().line() + ")");
                    }
                    if (some == null) {
                        some = new Verdict(Kind.ACCEPTS_SOME, s.at(), what + " accepts when "
                                + (always ? "the earlier conditions let a client through" : describe(conds)));
                    }
                    if (always) {
                        return some;
                    }
                }
                case "deny", "drop", "defer" -> {
                    if (always) {
                        return some != null ? some : new Verdict(Kind.DENIES, s.at(), "");
                    }
                    narrowed = true;
                }
                case "require" -> {
                    if (!always) {
                        narrowed = true;
                    }
                }
                default -> { }
            }
        }
        return some != null ? some : new Verdict(Kind.DENIES, aclAt, "");
    }

    private static boolean matchesAll(Option o) {
        String v = o.value().strip();
        return switch (o.name()) {
            case "hosts" -> v.equals("*") || v.equals("0.0.0.0/0") || v.replaceAll("\\s", "").matches("(<;)?0\\.0\\.0\\.0/0[;:]+::0?/0");
            case "condition" -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equals("1");
            default -> false;
        };
    }

    private static String describe(List<Option> conds) {
        List<String> parts = new ArrayList<>();
        for (Option o : conds) {
            parts.add(o.value().isEmpty() ? o.name() : o.name() + " = " + o.value());
        }
        return String.join(" and ", parts);
    }
}
