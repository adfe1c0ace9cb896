package dev.tacit.lint;

import dev.tacit.findings.Severity;
import dev.tacit.lint.PostfixConfig.Override;
import dev.tacit.lint.PostfixConfig.Param;
import dev.tacit.lint.PostfixConfig.Service;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Postfix checks, asked of every smtpd that clients reach (each inet or pass smtpd in master.cf,
 * with its -o overrides in force; main.cf alone when no master.cf is given). A bad value is reported
 * where it comes from: the -o override, the main.cf line, or main.cf as a whole when the default is
 * the problem. Fixes: {@code disable_vrfy_command = yes}, {@code smtpd_helo_required = yes},
 * {@code show_user_unknown_table_name = no} in main.cf (replacing a one-line literal setting or
 * appended), and a master.cf {@code -o disable_vrfy_command=no} turned into {@code =yes}.
 */
public final class PostfixChecker {

    private final PostfixConfig c;
    private final LintContext ctx;
    private final Set<String> reported = new HashSet<>();

    private PostfixChecker(PostfixConfig c, LintContext ctx) {
        this.c = c;
        this.ctx = ctx;
    }

    public static void check(PostfixConfig c, LintContext ctx) {
        new PostfixChecker(c, ctx).run();
    }

    private void run() {
        List<Service> targets = new ArrayList<>();
        if (c.master != null) {
            for (Service s : c.services) {
                if (s.publicSmtpd()) {
                    targets.add(s);
                }
            }
        } else {
            targets.add(null); // main.cf alone: the parameters as every smtpd sees them
        }
        for (Service s : targets) {
            check(s);
        }
    }

    private void check(Service s) {
        String svc = s == null ? "" : " (service " + s.name() + "/" + s.type() + ")";
        boolean loopbackOnly = loopbackOnly(c.value("inet_interfaces", s));

        boolean vrfyOn = !PostfixConfig.isYes(c.value("disable_vrfy_command", s));
        if (vrfyOn) {
            Override o = override(s, "disable_vrfy_command");
            if (o != null && PostfixConfig.isYes(c.value("disable_vrfy_command", null))) {
                report(LintRule.PF302, null, s, o, "service " + s.name() + " in master.cf sets -o " + o.raw()
                        + ", turning VRFY back on although main.cf disables it", "remove the override or set it to yes");
                if (!o.value().contains("$")) {
                    String text = c.master.line(o.line()).text();
                    int at = text.indexOf(o.raw());
                    if (at >= 0) {
                        String fixed = text.substring(0, at) + o.name() + "=yes" + text.substring(at + o.raw().length());
                        ctx.fix(Edit.replace(c.master, o.line(), fixed, LintRule.PF302));
                    }
                }
            } else {
                report(LintRule.PF301, loopbackOnly ? Severity.LOW : null, s, o,
                        "disable_vrfy_command is " + describe("disable_vrfy_command", s) + svc
                                + ": VRFY tells real users from unknown ones"
                                + (loopbackOnly ? " (only on loopback: inet_interfaces)" : ""),
                        "set disable_vrfy_command = yes");
                fixMain(o, "disable_vrfy_command", "yes", LintRule.PF301);
            }
        }
        String discard = c.value("smtpd_discard_ehlo_keywords", s).toLowerCase(Locale.ROOT);
        if (vrfyOn && List.of(discard.split("[\\s,]+")).contains("vrfy")) {
            report(LintRule.PF303, null, s, override(s, "smtpd_discard_ehlo_keywords"),
                    "smtpd_discard_ehlo_keywords hides VRFY from EHLO" + svc + " but disable_vrfy_command is not yes, "
                            + "so VRFY still answers", "set disable_vrfy_command = yes");
        }
        if (!PostfixConfig.isYes(c.value("smtpd_helo_required", s))) {
            Override o = override(s, "smtpd_helo_required");
            report(LintRule.PF304, null, s, o, "smtpd_helo_required is " + describe("smtpd_helo_required", s) + svc,
                    "set smtpd_helo_required = yes");
            fixMain(o, "smtpd_helo_required", "yes", LintRule.PF304);
        }
        Integer soft = integer(c.value("smtpd_soft_error_limit", s));
        Integer hard = integer(c.value("smtpd_hard_error_limit", s));
        Integer junk = integer(c.value("smtpd_junk_command_limit", s));
        String sleep = c.value("smtpd_error_sleep_time", s).strip();
        if (hard != null && hard > 20) {
            report(LintRule.PF305, null, s, override(s, "smtpd_hard_error_limit"), "smtpd_hard_error_limit is " + hard + svc
                    + ": a client may make " + hard + " errors (unknown recipients) before being disconnected", "keep it at 20 or less");
        } else if (soft != null && hard != null && soft >= hard && hard > 0) {
            report(LintRule.PF305, null, s, override(s, "smtpd_soft_error_limit"), "smtpd_soft_error_limit " + soft
                    + " is not below smtpd_hard_error_limit " + hard + svc + ", so errors are never slowed down",
                    "keep the soft limit below the hard limit");
        }
        if (sleep.matches("0+[smhdw]?")) {
            report(LintRule.PF305, null, s, override(s, "smtpd_error_sleep_time"), "smtpd_error_sleep_time is " + sleep + svc
                    + ": errors are answered without delay", "keep the default 1s");
        }
        if (junk != null && junk > 100) {
            report(LintRule.PF305, null, s, override(s, "smtpd_junk_command_limit"), "smtpd_junk_command_limit is " + junk + svc
                    + ": one connection may send that many VRFY/NOOP/RSET commands", "keep it at 100 or less");
        }
        Integer rate = integer(c.value("smtpd_client_recipient_rate_limit", s));
        if (rate != null && rate == 0) {
            report(LintRule.PF306, null, s, override(s, "smtpd_client_recipient_rate_limit"),
                    "smtpd_client_recipient_rate_limit is " + describe("smtpd_client_recipient_rate_limit", s) + svc
                            + ": a client may test recipients without limit across connections",
                    "set smtpd_client_recipient_rate_limit (for example 100)");
        }
        if (PostfixConfig.isYes(c.value("show_user_unknown_table_name", s))) {
            Override o = override(s, "show_user_unknown_table_name");
            report(LintRule.PF307, null, s, o, "show_user_unknown_table_name is " + describe("show_user_unknown_table_name", s)
                    + svc + ": rejections name the lookup table", "set show_user_unknown_table_name = no");
            fixMain(o, "show_user_unknown_table_name", "no", LintRule.PF307);
        }
        if (!PostfixConfig.isYes(c.value("smtpd_reject_unlisted_recipient", s))) {
            report(LintRule.PF308, null, s, override(s, "smtpd_reject_unlisted_recipient"),
                    "smtpd_reject_unlisted_recipient is no" + svc + ": unknown recipients are accepted and bounced later (backscatter)",
                    "set smtpd_reject_unlisted_recipient = yes and rate-limit recipients");
        }
    }

    private String describe(String name, Service s) {
        Override o = override(s, name);
        Param p = c.params.get(name);
        String value = c.value(name, s);
        String raw = o != null ? o.value() : p != null ? p.value() : null;
        if (raw == null) {
            return value.isEmpty() ? "unset" : value + " (Postfix's default)";
        }
        return raw.equals(value) ? value : raw + " (= " + value + ")";
    }

    private static Override override(Service s, String name) {
        if (s == null) {
            return null;
        }
        Override found = null;
        for (Override o : s.overrides()) {
            if (o.name().equals(name)) {
                found = o;
            }
        }
        return found;
    }

    /** Reports once per place: the override, the main.cf line, or main.cf as a whole. */
    private void report(LintRule rule, Severity severity, Service s, Override o, String message, String fix) {
        String name = paramOf(message);
        SourceFile file;
        int line;
        int col;
        if (o != null) {
            file = c.master;
            line = o.line();
            col = o.column();
        } else if (c.params.containsKey(name)) {
            Param p = c.params.get(name);
            file = p.file();
            line = p.line();
            col = 1;
        } else {
            file = c.main != null ? c.main : c.master;
            line = 0;
            col = 0;
        }
        if (!reported.add(rule + "|" + file.display() + "|" + line)) {
            return;
        }
        String msg = message;
        if (o == null && s != null) {
            msg = message.replace(" (service " + s.name() + "/" + s.type() + ")", "");
        }
        ctx.report(rule, severity == null ? rule.severity() : severity, file, line, col, msg, fix);
    }

    private static String paramOf(String message) {
        int sp = message.indexOf(' ');
        return sp < 0 ? message : message.substring(0, sp);
    }

    /** Sets a main.cf parameter when that is unambiguous: not when an override decides, nor for $-valued or multi-line settings. */
    private void fixMain(Override o, String name, String value, LintRule rule) {
        if (o != null || c.main == null) {
            return;
        }
        Param p = c.params.get(name);
        String line = name + " = " + value;
        if (p == null) {
            ctx.fix(Edit.insertAfter(c.main, c.main.lines().size(), line, rule));
        } else if (p.line() == p.lastLine() && !p.value().contains("$")) {
            ctx.fix(Edit.replace(c.main, p.line(), line, rule));
        }
    }

    static boolean loopbackOnly(String interfaces) {
        String v = interfaces.strip().toLowerCase(Locale.ROOT);
        if (v.equals("loopback-only")) {
            return true;
        }
        if (v.isEmpty() || v.equals("all")) {
            return false;
        }
        for (String part : v.split("[\\s,]+")) {
            if (!part.isEmpty() && !List.of("localhost", "127.0.0.1", "::1", "[::1]").contains(part)) {
                return false;
            }
        }
        return true;
    }

    static Integer integer(String v) {
        try {
            return Integer.valueOf(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
