package dev.tacit.lint;

import dev.tacit.lint.M4Parser.Arg;
import dev.tacit.lint.M4Parser.Call;
import dev.tacit.lint.SendmailSettings.CfRule;
import dev.tacit.lint.SendmailSettings.Ruleset;
import dev.tacit.lint.SendmailSettings.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads sendmail.mc: the {@code define}s that become enumeration-relevant options
 * (confPRIVACY_FLAGS, confLOG_LEVEL, confBAD_RCPT_THROTTLE, confMAX_RCPTS_PER_MESSAGE,
 * confMATCH_GECOS, confCONNECTION_RATE_THROTTLE), {@code undefine}, the FEATUREs used, and the
 * S/R lines under LOCAL_RULESETS. The last define of a name wins, as in m4.
 */
public final class SendmailMcParser {

    /** The macros that end a LOCAL_RULESETS section. */
    private static final Set<String> SECTIONS = Set.of("LOCAL_CONFIG", "LOCAL_NET_CONFIG", "LOCAL_RULE_0",
            "LOCAL_RULE_1", "LOCAL_RULE_2", "LOCAL_RULE_3", "MAILER", "MAILER_DEFINITIONS", "SITECONFIG",
            "LOCAL_SRV_FEATURES", "LOCAL_TRY_TLS", "LOCAL_STARTTLS", "LOCAL_TLS_CLIENT", "LOCAL_TLS_SERVER");

    /** The privacy define with its value argument (for --fix), or null. */
    record McPrivacy(Call call, Arg value) {}

    private SendmailMcParser() {}

    public static SendmailSettings parse(SourceFile f) throws LintException {
        return parseWithPrivacy(f).settings;
    }

    record Parsed(SendmailSettings settings, McPrivacy privacy) {}

    static Parsed parseWithPrivacy(SourceFile f) throws LintException {
        List<Call> calls = M4Parser.parse(f);
        SendmailSettings s = new SendmailSettings(f);
        s.mc = true;
        McPrivacy privacy = null;
        int firstMailer = 0;
        int lastDefine = 0;
        for (Call c : calls) {
            int line = f.lineOf(c.start());
            switch (c.name()) {
                case "define" -> {
                    if (c.args().size() < 1) {
                        continue;
                    }
                    lastDefine = f.lineOf(c.end());
                    String name = c.args().get(0).value().strip();
                    Arg valueArg = c.args().size() > 1 ? c.args().get(1) : new Arg("", c.end() - 1, c.end() - 1);
                    int col = f.lineOf(valueArg.start()) == line ? f.columnOf(valueArg.start()) : f.columnOf(c.start());
                    Setting set = new Setting(valueArg.value().strip(), f, line, col, f.lineOf(c.end()));
                    switch (name) {
                        case "confPRIVACY_FLAGS" -> {
                            s.privacy.clear(); // m4: the last define wins
                            s.privacy.add(set);
                            privacy = new McPrivacy(c, valueArg);
                            int end = valueArg.end();
                            while (end > valueArg.start() && Character.isWhitespace(f.text().charAt(end - 1))) {
                                end--;
                            }
                            s.privacyQuoted = end > valueArg.start() && f.text().charAt(end - 1) == '\''
                                    && f.text().charAt(valueArg.start()) == '`';
                            if (s.privacyQuoted) {
                                end--;
                            }
                            s.privacyInsertAt = end;
                            s.privacyArgStart = valueArg.start();
                        }
                        case "confLOG_LEVEL" -> s.logLevel = set;
                        case "confBAD_RCPT_THROTTLE" -> s.badRcptThrottle = set;
                        case "confMAX_RCPTS_PER_MESSAGE" -> s.maxRecipients = set;
                        case "confMATCH_GECOS" -> s.matchGecos = set;
                        case "confCONNECTION_RATE_THROTTLE" -> s.connectionRate = set;
                        default -> { }
                    }
                }
                case "undefine" -> {
                    if (!c.args().isEmpty()) {
                        switch (c.args().get(0).value().strip()) {
                            case "confPRIVACY_FLAGS" -> {
                                s.privacy.clear();
                                privacy = null;
                                s.privacyInsertAt = -1;
                            }
                            case "confLOG_LEVEL" -> s.logLevel = null;
                            case "confBAD_RCPT_THROTTLE" -> s.badRcptThrottle = null;
                            case "confMAX_RCPTS_PER_MESSAGE" -> s.maxRecipients = null;
                            case "confMATCH_GECOS" -> s.matchGecos = null;
                            default -> { }
                        }
                    }
                }
                case "FEATURE" -> {
                    if (!c.args().isEmpty()) {
                        s.features.add(c.args().get(0).value().strip());
                    }
                }
                case "MAILER" -> {
                    if (firstMailer == 0) {
                        firstMailer = line;
                    }
                }
                case "LOCAL_RULESETS" -> localRulesets(s, f, f.lineOf(c.end()) + 1);
                default -> { }
            }
        }
        // a new define goes before the first MAILER (m4 needs options before mailers), else after the last define
        s.insertAfter = firstMailer > 0 ? firstMailer - 1 : lastDefine;
        return new Parsed(s, privacy);
    }

    private static void localRulesets(SendmailSettings s, SourceFile f, int fromLine) throws LintException {
        List<CfRule> rules = null;
        for (int n = fromLine; n <= f.lines().size(); n++) {
            String t = f.line(n).text();
            String word = t.strip().split("[^A-Za-z0-9_]", 2)[0];
            if (SECTIONS.contains(word)) {
                return;
            }
            if (t.startsWith("S")) {
                String name = t.substring(1).strip();
                int eq = name.indexOf('=');
                name = (eq >= 0 ? name.substring(0, eq) : name).strip();
                rules = new ArrayList<>();
                s.rulesets.put(name, new Ruleset(name, f, n, rules));
            } else if (t.startsWith("R") && rules != null) {
                int tab = t.indexOf('\t');
                if (tab < 0) {
                    throw new LintException(f.display(), n,
                            "invalid rewrite line under LOCAL_RULESETS (tab expected between pattern and replacement)");
                }
                String rest = t.substring(tab).replaceFirst("^\t+", "");
                int tab2 = rest.indexOf('\t');
                rules.add(new CfRule(t.substring(1, tab).strip(), (tab2 < 0 ? rest : rest.substring(0, tab2)).strip(), n));
            }
        }
    }
}
