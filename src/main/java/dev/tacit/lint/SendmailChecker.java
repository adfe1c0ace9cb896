package dev.tacit.lint;

import dev.tacit.lint.SendmailSettings.CfRule;
import dev.tacit.lint.SendmailSettings.Ruleset;
import dev.tacit.lint.SendmailSettings.Setting;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sendmail checks, run on a .cf or a .mc (the rule ids differ, the questions do not):
 * PrivacyOptions as sendmail reads them (words split on white space and punctuation, case
 * ignored, every occurrence accumulating, goaway standing for seven flags, unknown words fatal),
 * check_vrfy/check_expn rule sets, LogLevel, BadRcptThrottle, MaxRecipientsPerMessage, MatchGECOS.
 * Facts from shared/spec/sendmail-privacy.md sections 5, 7 and 12.
 */
public final class SendmailChecker {

    static final Set<String> GOAWAY = Set.of("needmailhelo", "needexpnhelo", "needvrfyhelo", "noexpn", "novrfy",
            "authwarnings", "noverb");
    /** Words sendmail 8.17 (Debian build, no _FFR_NOREFLECT) accepts, besides public and goaway. */
    static final Set<String> FLAGS = Set.of("needmailhelo", "needexpnhelo", "needvrfyhelo", "noexpn", "novrfy",
            "authwarnings", "noverb", "restrictmailq", "restrictqrun", "restrictexpand", "noetrn", "nobodyreturn",
            "noreceipts", "noactualrecipient");
    /** m4's own rule sets; a check_ set calling them does not thereby reject anything. */
    private static final Set<String> STANDARD_SETS = Set.of("canonify", "3", "canonify2", "96", "parse0", "0",
            "parse1", "1", "final", "4", "recurse", "97");

    private final boolean mc;
    private final SendmailSettings s;
    private final LintContext ctx;
    private final RulesetEvaluator evaluator;

    private SendmailChecker(SendmailSettings s, boolean mc, LintContext ctx, RulesetEvaluator evaluator) {
        this.s = s;
        this.mc = mc;
        this.ctx = ctx;
        this.evaluator = evaluator;
    }

    public static void check(SendmailSettings s, boolean mc, LintContext ctx, RulesetEvaluator evaluator) {
        new SendmailChecker(s, mc, ctx, evaluator).run();
    }

    /** Splits a PrivacyOptions value into words as sendmail does. */
    static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        for (String w : value.split("[\\s\\p{Punct}]+")) {
            if (!w.isEmpty()) {
                out.add(w.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** The flags a list of PrivacyOptions values sets, goaway expanded, unknown words left out. */
    static Set<String> flags(List<String> values) {
        Set<String> out = new TreeSet<>();
        for (String v : values) {
            for (String w : words(v)) {
                if (w.equals("goaway")) {
                    out.addAll(GOAWAY);
                } else if (FLAGS.contains(w)) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    private void run() {
        List<String> values = s.privacy.stream().map(Setting::value).toList();
        if (mc && s.privacy.isEmpty()) {
            values = List.of("authwarnings"); // what m4 writes without the define
        }
        Set<String> flags = flags(values);
        for (Setting p : s.privacy) {
            for (String w : words(p.value())) {
                if (!w.equals("public") && !w.equals("goaway") && !FLAGS.contains(w)) {
                    String why = w.equals("noreflection")
                            ? "noreflection exists only in sendmail builds with _FFR_NOREFLECT; Debian's sendmail refuses to start"
                            : "sendmail stops with \"readcf: Op line: " + w + " unrecognized\"";
                    ctx.report(mc ? LintRule.MC204 : LintRule.SM104, p.file(), p.line(), p.column(),
                            "unknown PrivacyOptions word \"" + w + "\": " + why, "remove or correct \"" + w + "\"");
                }
            }
        }
        Setting where = s.privacy.isEmpty() ? null : s.privacy.get(s.privacy.size() - 1);
        String shown = s.privacy.isEmpty() ? (mc ? "(not defined: m4 writes authwarnings)" : "(no PrivacyOptions line: all open)")
                : "\"" + String.join(",", values) + "\"";
        Set<String> add = new LinkedHashSet<>();

        boolean vrfyOff = flags.contains("novrfy");
        boolean expnOff = flags.contains("noexpn");
        RulesetVerdict vrfySet = verdict("check_vrfy");
        RulesetVerdict expnSet = verdict("check_expn");
        if (!vrfyOff) {
            add.add("novrfy");
            command("VRFY", shown, where, vrfySet, mc ? LintRule.MC201 : LintRule.SM101,
                    mc ? LintRule.MC205 : LintRule.SM105, mc ? LintRule.MC206 : LintRule.SM106,
                    "VRFY answers 250 with the full name for real users and 550 for unknown ones");
        }
        if (!expnOff) {
            add.add("noexpn");
            command("EXPN", shown, where, expnSet, mc ? LintRule.MC202 : LintRule.SM102,
                    mc ? LintRule.MC205 : LintRule.SM105, mc ? LintRule.MC206 : LintRule.SM106,
                    "EXPN lists the members of aliases and lists, and VERB stays on");
        }
        if (!flags.contains("authwarnings")) {
            add.add("authwarnings");
            report(mc ? LintRule.MC203 : LintRule.SM103, where,
                    "PrivacyOptions " + shown + " lacks authwarnings (CIS requires authwarnings, novrfy and noexpn)",
                    "add authwarnings to PrivacyOptions");
        }
        if (!add.isEmpty()) {
            if (mc) {
                McFixes.privacy(s, add, ctx);
            } else {
                CfFixes.privacy(s, add, ctx);
            }
        }

        if (s.logLevel != null) {
            Integer level = integer(s.logLevel.value());
            if (level != null && level < 6) {
                report(mc ? LintRule.MC210 : LintRule.SM110, s.logLevel,
                        "LogLevel " + level + " does not log VRFY/EXPN (needs 6 or more)"
                                + (level < 4 ? " nor check_vrfy/check_expn rejections (needs 4 or more)" : ""),
                        "set LogLevel to 9");
            }
        }
        Integer throttle = s.badRcptThrottle == null ? null : integer(s.badRcptThrottle.value());
        if (throttle == null || throttle <= 0) {
            report(mc ? LintRule.MC211 : LintRule.SM111, s.badRcptThrottle,
                    s.badRcptThrottle == null ? "BadRcptThrottle is not set: unknown recipients can be tried at full speed"
                            : "BadRcptThrottle " + s.badRcptThrottle.value() + " does not slow down recipient probes",
                    mc ? "define(`confBAD_RCPT_THROTTLE', `3')dnl" : "add O BadRcptThrottle=3");
        }
        Integer maxRcpt = s.maxRecipients == null ? null : integer(s.maxRecipients.value());
        if (maxRcpt == null || maxRcpt <= 0) {
            report(mc ? LintRule.MC212 : LintRule.SM112, s.maxRecipients,
                    "MaxRecipientsPerMessage is not set: one transaction can test any number of recipients",
                    mc ? "define(`confMAX_RCPTS_PER_MESSAGE', `100')dnl" : "add O MaxRecipientsPerMessage=100");
        }
        if (s.matchGecos != null && isTrue(s.matchGecos.value())) {
            report(mc ? LintRule.MC213 : LintRule.SM113, s.matchGecos,
                    "MatchGECOS is on: VRFY/EXPN/RCPT also find users by full name (George.Washington)",
                    "set MatchGECOS to False");
        }
        if (mc && s.connectionRate == null && !s.features.contains("ratecontrol") && !s.features.contains("conncontrol")) {
            report(LintRule.MC214, null, "no FEATURE(`ratecontrol'), FEATURE(`conncontrol') or confCONNECTION_RATE_THROTTLE: "
                    + "probers may reconnect without limit", "FEATURE(`ratecontrol', `nodelay', `terminate')dnl");
        }
    }

    private void command(String cmd, String shown, Setting where, RulesetVerdict rs, LintRule open,
            LintRule permissive, LintRule bypass, String leak) {
        String set = "check_" + cmd.toLowerCase(Locale.ROOT);
        String flag = "no" + cmd.toLowerCase(Locale.ROOT);
        if (rs.defined() && rs.rejects()) {
            report(bypass, rs.line(), set + " restricts " + cmd + " but PrivacyOptions " + shown + " lacks " + flag
                    + "; sendmail skips the rule set for arguments that overflow its tokenizer, so long lists still leak"
                    + rs.detail(), "add " + flag + " to PrivacyOptions");
            return;
        }
        report(open, where, cmd + " is open: PrivacyOptions " + shown + " has neither " + flag + " nor goaway; " + leak,
                "add " + flag + " (or goaway) to PrivacyOptions");
        if (rs.defined()) {
            report(permissive, rs.line(), set + " is defined but never rejects, so it restricts nothing" + rs.detail(),
                    "end " + set + " with a rule that returns $#error, or set " + flag);
        }
    }

    /** What a check_ rule set does: undefined, or defined and rejecting (some input) or not. */
    record RulesetVerdict(boolean defined, boolean rejects, Setting line, String detail) {}

    private RulesetVerdict verdict(String name) {
        Ruleset rs = null;
        for (var e : s.rulesets.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                rs = e.getValue();
            }
        }
        if (rs == null) {
            return new RulesetVerdict(false, false, null, "");
        }
        Setting at = new Setting("", rs.file(), rs.line(), 1, rs.line());
        RulesetEvaluator.Result r = evaluator.evaluate(s, rs);
        return new RulesetVerdict(true, r.rejects(), at, r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
    }

    /** A static answer: does a rule (here or in a local rule set it calls) return $#error other than quarantine? */
    static boolean canReject(SendmailSettings s, Ruleset rs, Set<String> seen) {
        if (!seen.add(rs.name().toLowerCase(Locale.ROOT))) {
            return false;
        }
        for (CfRule r : rs.rules()) {
            String rhs = r.rhs().replaceAll("\\s+", "");
            if (rhs.startsWith("$#error") && !rhs.toLowerCase(Locale.ROOT).startsWith("$#error$@quarantine")) {
                return true;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$>\\s*([A-Za-z0-9_]+)").matcher(r.rhs());
            while (m.find()) {
                String called = m.group(1);
                if (STANDARD_SETS.contains(called.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                for (var e : s.rulesets.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(called) && canReject(s, e.getValue(), seen)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void report(LintRule rule, Setting at, String message, String fix) {
        if (at == null) {
            ctx.report(rule, s.file, 0, 0, message, fix);
        } else {
            ctx.report(rule, at.file(), at.line(), at.column(), message, fix);
        }
    }

    static Integer integer(String v) {
        try {
            return Integer.valueOf(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** sendmail's boolean: true when the value starts with t, T, y or Y (an empty value is true). */
    static boolean isTrue(String v) {
        String t = v.strip();
        return t.isEmpty() || "tTyY".indexOf(t.charAt(0)) >= 0;
    }
}
