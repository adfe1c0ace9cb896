package dev.tacit.lint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What sendmail.cf and sendmail.mc say about enumeration, in one shape so the same checks (and the
 * .mc/.cf drift check) run on both: every PrivacyOptions occurrence (they accumulate), LogLevel,
 * BadRcptThrottle, MaxRecipientsPerMessage, MatchGECOS and the check_vrfy/check_expn rule sets.
 */
public final class SendmailSettings {

    /**
     * One setting as written: its value, where it is, and the physical line a fix would edit
     * ({@code lastLine}, the end of a folded line; {@code valueEnd}, the column after the value on it).
     */
    public record Setting(String value, SourceFile file, int line, int column, int lastLine) {}

    /** One R line: pattern, replacement, and its line. */
    public record CfRule(String lhs, String rhs, int line) {}

    public record Ruleset(String name, SourceFile file, int line, List<CfRule> rules) {}

    final SourceFile file;
    /** Read from a .mc (rule sets are the LOCAL_RULESETS lines only). */
    boolean mc;
    final List<Setting> privacy = new ArrayList<>();
    Setting logLevel;
    Setting badRcptThrottle;
    Setting maxRecipients;
    Setting matchGecos;
    Setting connectionRate;
    final Map<String, Ruleset> rulesets = new LinkedHashMap<>();
    /** .mc only: FEATURE names used. */
    final List<String> features = new ArrayList<>();
    /** Line after which a new option line may go (last O line in .cf; before MAILER in .mc); 0 = top. */
    int insertAfter;
    /** .mc only: offset in the file where words can be appended to the confPRIVACY_FLAGS value, or -1. */
    int privacyInsertAt = -1;
    /** .mc only: where the confPRIVACY_FLAGS value starts, and whether it is m4-quoted. */
    int privacyArgStart = -1;
    boolean privacyQuoted;

    SendmailSettings(SourceFile file) {
        this.file = file;
    }

    public List<Setting> privacy() {
        return List.copyOf(privacy);
    }

    public Map<String, Ruleset> rulesets() {
        return Map.copyOf(rulesets);
    }

    public Setting logLevel() {
        return logLevel;
    }

    public Setting badRcptThrottle() {
        return badRcptThrottle;
    }

    public Setting maxRecipients() {
        return maxRecipients;
    }

    public Setting matchGecos() {
        return matchGecos;
    }
}
