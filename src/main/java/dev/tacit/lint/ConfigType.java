package dev.tacit.lint;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The formats {@code tacit lint} reads, detected from the file name and, failing that, from the
 * content; {@code --type} overrides both.
 */
public enum ConfigType {
    SENDMAIL_CF("sendmail-cf", "SM"),
    SENDMAIL_MC("sendmail-mc", "MC"),
    POSTFIX("postfix", "PF"),
    EXIM("exim", "EX"),
    TACIT("tacit", "TC");

    private final String label;
    private final String rulePrefix;

    ConfigType(String label, String rulePrefix) {
        this.label = label;
        this.rulePrefix = rulePrefix;
    }

    /** The prefix of the {@link LintRule} ids that apply to this format. */
    public String rulePrefix() {
        return rulePrefix;
    }

    public String label() {
        return label;
    }

    public static ConfigType parse(String s) {
        for (ConfigType t : values()) {
            if (t.label.equalsIgnoreCase(s.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown type \"" + s + "\" (use sendmail-cf, sendmail-mc, postfix, exim or tacit)");
    }

    private static final Pattern MC = Pattern.compile("(?m)^\\s*(divert\\(|OSTYPE\\(|define\\(`conf|FEATURE\\(|MAILER\\(|VERSIONID\\()");
    private static final Pattern CF = Pattern.compile("(?m)^(O [A-Za-z]+=|V\\d+|S[A-Za-z0-9_]+\\s*(=\\s*\\d+)?\\s*$|R[^\\t\\n]*\\t)");
    private static final Pattern EXIM_RE = Pattern.compile("(?m)^\\s*(begin\\s+(acl|routers|transports|authenticators)\\s*$|acl_smtp_\\w+\\s*=|\\.include(_if_exists)?\\s)");
    private static final Pattern MASTER = Pattern.compile("(?m)^\\S+\\s+(inet|unix|unix-dgram|fifo|pass)\\s+[-yn]\\s+[-yn]\\s+[-yn]\\s");
    private static final Pattern POSTFIX_MAIN = Pattern.compile("(?m)^(smtpd_\\w+|myhostname|mydestination|inet_interfaces|"
            + "disable_vrfy_command|compatibility_level|alias_maps|relayhost|mynetworks|smtpd_banner|biff|append_dot_mydomain|"
            + "readme_directory)\\s*=");
    private static final Pattern TOML = Pattern.compile("(?m)^\\s*(\\[\\w+\\]|privacy_options\\s*=|log_level\\s*=|listen\\s*=|data_dir\\s*=)");

    /** The type of a file by name, then by content; null when neither tells. */
    public static ConfigType detect(String fileName, String content) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".mc")) {
            return SENDMAIL_MC;
        }
        if (n.equals("main.cf") || n.equals("master.cf") || n.startsWith("main.cf.") || n.startsWith("master.cf.")) {
            return POSTFIX;
        }
        if (n.endsWith(".toml")) {
            return TACIT;
        }
        if (n.startsWith("exim") || n.equals("configure")) {
            return EXIM;
        }
        if ((n.endsWith(".cf") || n.equals("sendmail.cf")) && CF.matcher(content).find()) {
            return SENDMAIL_CF;
        }
        if (MC.matcher(content).find()) {
            return SENDMAIL_MC;
        }
        if (CF.matcher(content).find()) {
            return SENDMAIL_CF;
        }
        if (EXIM_RE.matcher(content).find()) {
            return EXIM;
        }
        if (MASTER.matcher(content).find() || POSTFIX_MAIN.matcher(content).find()) {
            return POSTFIX;
        }
        if (TOML.matcher(content).find()) {
            return TACIT;
        }
        return null;
    }

    /** Within Postfix: is this master.cf (service table) rather than main.cf? */
    static boolean isMaster(String fileName, String content) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.startsWith("master.cf")) {
            return true;
        }
        if (n.startsWith("main.cf")) {
            return false;
        }
        return MASTER.matcher(content).find() && !POSTFIX_MAIN.matcher(content).find();
    }
}
