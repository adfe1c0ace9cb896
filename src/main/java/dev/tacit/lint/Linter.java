package dev.tacit.lint;

import dev.tacit.findings.Finding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code tacit lint}'s engine: reads the files, detects each one's format (or takes the forced one),
 * groups Postfix's main.cf with master.cf and a sendmail .mc with its .cf, runs the checks and
 * returns the findings and the fixes. It runs nothing and writes nothing; {@link Fixer} applies fixes.
 */
public final class Linter {

    /** The outcome: findings, fixes, and the files examined (as displayed). */
    public record Result(List<Finding> findings, List<Edit> edits, List<String> targets, List<SourceFile> files,
            Set<ConfigType> types) {

        /** The rules of the formats that were linted (what a report lists as checked). */
        public List<dev.tacit.findings.Rule> rulesChecked() {
            return java.util.Arrays.stream(LintRule.values())
                    .filter(r -> types.stream().anyMatch(t -> r.id().startsWith(t.rulePrefix())))
                    .map(LintRule::toRule).toList();
        }

        /** The edits for one file, in order. */
        public Map<SourceFile, List<Edit>> editsByFile() {
            Map<SourceFile, List<Edit>> out = new LinkedHashMap<>();
            for (SourceFile f : files) {
                List<Edit> es = edits.stream().filter(e -> e.file() == f).toList();
                if (!es.isEmpty()) {
                    out.put(f, es);
                }
            }
            for (Edit e : edits) {
                out.computeIfAbsent(e.file(), k -> edits.stream().filter(x -> x.file() == k).toList());
            }
            return out;
        }
    }

    private final RulesetEvaluator evaluator;

    public Linter(RulesetEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    /** Evaluates check_vrfy/check_expn in the rewrite engine (falling back to a static reading). */
    public Linter() {
        this(new EngineRulesetEvaluator());
    }

    public Result lint(List<Path> paths, ConfigType forced) throws LintException {
        List<SourceFile> files = new ArrayList<>();
        Map<SourceFile, ConfigType> types = new LinkedHashMap<>();
        for (Path p : paths) {
            SourceFile f = SourceFile.read(p, p.toString());
            ConfigType t = forced != null ? forced : ConfigType.detect(p.getFileName().toString(), f.text());
            if (t == null) {
                throw new LintException(f.display(), 0,
                        "cannot tell the format; use --type sendmail-cf|sendmail-mc|postfix|exim|tacit");
            }
            files.add(f);
            types.put(f, t);
        }
        LintContext ctx = new LintContext();
        List<SourceFile> mains = new ArrayList<>();
        List<SourceFile> masters = new ArrayList<>();
        List<SendmailSettings> mcs = new ArrayList<>();
        List<SendmailSettings> cfs = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (SourceFile f : files) {
            targets.add(f.display());
            switch (types.get(f)) {
                case SENDMAIL_CF -> {
                    SendmailSettings s = SendmailCfParser.parse(f);
                    cfs.add(s);
                    SendmailChecker.check(s, false, ctx, evaluator);
                }
                case SENDMAIL_MC -> {
                    SendmailSettings s = SendmailMcParser.parse(f);
                    mcs.add(s);
                    SendmailChecker.check(s, true, ctx, evaluator);
                }
                case POSTFIX -> (ConfigType.isMaster(f.path().getFileName().toString(), f.text()) ? masters : mains).add(f);
                case EXIM -> {
                    EximConfig c = EximConfig.parse(f);
                    EximChecker.check(c, ctx);
                    for (SourceFile inc : c.files()) {
                        if (!targets.contains(inc.display())) {
                            targets.add(inc.display());
                        }
                    }
                }
                case TACIT -> TacitChecker.check(f, ctx);
            }
        }
        if (mains.size() <= 1 && masters.size() <= 1 && !(mains.isEmpty() && masters.isEmpty())) {
            checkPostfix(PostfixConfig.parse(mains.isEmpty() ? null : mains.get(0),
                    masters.isEmpty() ? null : masters.get(0)), ctx);
        } else {
            for (SourceFile m : mains) {
                checkPostfix(PostfixConfig.parse(m, null), ctx);
            }
            for (SourceFile m : masters) {
                checkPostfix(PostfixConfig.parse(null, m), ctx);
            }
        }
        if (mcs.size() == 1 && cfs.size() == 1) {
            drift(mcs.get(0), cfs.get(0), ctx);
        }
        return new Result(ctx.findings(), ctx.edits(), targets, files, java.util.EnumSet.copyOf(
                types.isEmpty() ? java.util.EnumSet.noneOf(ConfigType.class) : types.values()));
    }

    /** Runs the Postfix checks; a value Postfix itself could not expand stops the run as a syntax error would. */
    private static void checkPostfix(PostfixConfig c, LintContext ctx) throws LintException {
        try {
            PostfixChecker.check(c, ctx);
        } catch (PostfixConfig.ExpansionException e) {
            PostfixConfig.Param p = e.name() == null ? null : c.params().get(e.name());
            SourceFile f = p != null ? p.file() : c.main != null ? c.main : c.master;
            throw new LintException(f.display(), p != null ? p.line() : 0,
                    "cannot expand " + (e.name() == null ? "a parameter" : e.name()) + ": " + e.getMessage());
        }
    }

    /** Compares what sendmail.mc would generate with what sendmail.cf says, setting by setting. */
    static void drift(SendmailSettings mc, SendmailSettings cf, LintContext ctx) {
        Set<String> mcFlags = SendmailChecker.flags(mc.privacy.isEmpty() ? List.of("authwarnings")
                : mc.privacy.stream().map(SendmailSettings.Setting::value).toList());
        Set<String> cfFlags = SendmailChecker.flags(cf.privacy.stream().map(SendmailSettings.Setting::value).toList());
        if (!mcFlags.equals(cfFlags)) {
            SendmailSettings.Setting at = cf.privacy.isEmpty() ? null : cf.privacy.get(cf.privacy.size() - 1);
            driftReport(cf, at, "PrivacyOptions: " + mc.file.display() + " gives " + mcFlags + " but "
                    + cf.file.display() + " has " + cfFlags, ctx);
        }
        compare(mc, cf, "LogLevel", mc.logLevel, cf.logLevel, "9", "9", ctx);
        compare(mc, cf, "BadRcptThrottle", mc.badRcptThrottle, cf.badRcptThrottle, null, null, ctx);
        compare(mc, cf, "MaxRecipientsPerMessage", mc.maxRecipients, cf.maxRecipients, null, null, ctx);
        boolean mcGecos = mc.matchGecos != null && SendmailChecker.isTrue(mc.matchGecos.value());
        boolean cfGecos = cf.matchGecos != null && SendmailChecker.isTrue(cf.matchGecos.value());
        if (mcGecos != cfGecos) {
            driftReport(cf, cf.matchGecos, "MatchGECOS: " + mc.file.display() + " gives " + mcGecos + " but "
                    + cf.file.display() + " has " + cfGecos, ctx);
        }
        for (String set : List.of("check_vrfy", "check_expn")) {
            Set<String> mcSets = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            mcSets.addAll(mc.rulesets.keySet());
            Set<String> cfSets = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            cfSets.addAll(cf.rulesets.keySet());
            if (mcSets.contains(set) != cfSets.contains(set)) {
                driftReport(cf, null, "rule set " + set + " is " + (mcSets.contains(set) ? "" : "not ") + "in "
                        + mc.file.display() + " but " + (cfSets.contains(set) ? "" : "not ") + "in " + cf.file.display(), ctx);
            }
        }
    }

    private static void compare(SendmailSettings mc, SendmailSettings cf, String name, SendmailSettings.Setting m,
            SendmailSettings.Setting c, String mcDefault, String cfDefault, LintContext ctx) {
        String mv = m == null ? mcDefault : m.value();
        String cv = c == null ? cfDefault : c.value();
        Integer mi = mv == null ? null : SendmailChecker.integer(mv);
        Integer ci = cv == null ? null : SendmailChecker.integer(cv);
        boolean same = mi != null && ci != null ? mi.equals(ci) : java.util.Objects.equals(mv, cv);
        if (!same) {
            driftReport(cf, c, name + ": " + mc.file.display() + " gives " + (mv == null ? "unset" : mv) + " but "
                    + cf.file.display() + " has " + (cv == null ? "unset" : cv), ctx);
        }
    }

    private static void driftReport(SendmailSettings cf, SendmailSettings.Setting at, String message, LintContext ctx) {
        ctx.report(LintRule.MC220, cf.file, at == null ? 0 : at.line(), at == null ? 0 : at.column(),
                message + " (sendmail.cf was edited by hand or not rebuilt)", "rebuild sendmail.cf from sendmail.mc");
    }
}
