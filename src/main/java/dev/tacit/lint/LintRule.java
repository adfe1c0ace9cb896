package dev.tacit.lint;

import dev.tacit.findings.Rule;
import dev.tacit.findings.Severity;
import java.util.List;

/**
 * Every check {@code tacit lint} makes, with a stable id (never reused or renumbered; documented in
 * docs/lint-rules.md), a default severity, a summary and the help text (why, and the fix). Prefix
 * by format: SM sendmail.cf, MC sendmail.mc, PF Postfix, EX Exim, TC tacit.toml.
 */
public enum LintRule {

    // sendmail.cf
    SM101("sendmail-vrfy-open", Severity.HIGH, "VRFY confirms users: PrivacyOptions has neither novrfy nor goaway",
            "Without novrfy, VRFY answers 250 with the full name for a real user and 550 User unknown for others, "
                    + "an enumeration oracle. Add novrfy (or goaway) to the O PrivacyOptions line.",
            "DISA STIG GEN004680", "CIS AIX 4.6.4.2", "KISA U-48"),
    SM102("sendmail-expn-open", Severity.HIGH, "EXPN lists aliases and their members: PrivacyOptions has neither noexpn nor goaway",
            "Without noexpn, EXPN expands aliases and lists (EXPN all shows every member) and VERB adds 050 lines "
                    + "with .forward paths. Add noexpn (or goaway) to the O PrivacyOptions line.",
            "DISA STIG GEN004660", "CIS AIX 4.6.4.2", "KISA U-48"),
    SM103("sendmail-authwarnings-missing", Severity.LOW, "PrivacyOptions lacks authwarnings",
            "authwarnings adds X-Authentication-Warning headers and log lines when a client skips HELO or "
                    + "impersonates; the CIS benchmark requires it. Add authwarnings (goaway includes it).",
            "CIS AIX 4.6.4.2"),
    SM104("sendmail-privacy-unknown-word", Severity.HIGH, "PrivacyOptions has a word sendmail does not know",
            "sendmail treats an unknown PrivacyOptions word as a configuration error and refuses to start "
                    + "(noreflection exists only in builds with _FFR_NOREFLECT, not in Debian's). Remove or correct the word."),
    SM105("sendmail-check-ruleset-permissive", Severity.MEDIUM, "check_vrfy/check_expn rule set never rejects",
            "The rule set exists but no rule returns $#error, so every VRFY/EXPN goes on to the normal lookup. "
                    + "Make its last rule reject ($#error $@ 5.7.1 $: \"550 ...\") or set novrfy/noexpn."),
    SM106("sendmail-check-ruleset-bypassable", Severity.MEDIUM, "VRFY/EXPN are restricted only by a check_ rule set",
            "sendmail skips check_vrfy/check_expn when the argument overflows its tokenizer (a list of 261 copies of "
                    + "one name), and the list is then answered normally: the rule set alone leaks. Also set novrfy/noexpn."),
    SM110("sendmail-loglevel-low", Severity.MEDIUM, "LogLevel too low to log VRFY/EXPN probes",
            "sendmail logs VRFY and EXPN only at LogLevel 6 and above, and check_vrfy rejections at 4 and above; "
                    + "below that, enumeration leaves no trace. Use LogLevel 9 (the default)."),
    SM111("sendmail-badrcptthrottle-unset", Severity.MEDIUM, "BadRcptThrottle is not set",
            "Without BadRcptThrottle, a client may try unknown recipients at full speed. Set O BadRcptThrottle=3 "
                    + "(Debian's sendmail.mc uses 3)."),
    SM112("sendmail-maxrcpts-unset", Severity.LOW, "MaxRecipientsPerMessage is not set",
            "Without a limit one transaction can test thousands of recipients. Set O MaxRecipientsPerMessage "
                    + "(100 is common)."),
    SM113("sendmail-matchgecos", Severity.MEDIUM, "MatchGECOS lets full names find users",
            "With MatchGECOS, VRFY/EXPN/RCPT also match full names (George.Washington), so probers can guess from "
                    + "staff lists. Set MatchGECOS=False."),

    // sendmail.mc
    MC201("mc-vrfy-open", Severity.HIGH, "confPRIVACY_FLAGS has neither novrfy nor goaway",
            "The generated sendmail.cf will answer VRFY with user names. Add novrfy to confPRIVACY_FLAGS and rebuild "
                    + "sendmail.cf (without the define, m4 writes PrivacyOptions=authwarnings).",
            "DISA STIG GEN004680", "CIS AIX 4.6.4.2", "KISA U-48"),
    MC202("mc-expn-open", Severity.HIGH, "confPRIVACY_FLAGS has neither noexpn nor goaway",
            "The generated sendmail.cf will expand aliases for EXPN. Add noexpn to confPRIVACY_FLAGS and rebuild sendmail.cf.",
            "DISA STIG GEN004660", "CIS AIX 4.6.4.2", "KISA U-48"),
    MC203("mc-authwarnings-missing", Severity.LOW, "confPRIVACY_FLAGS lacks authwarnings",
            "Defining confPRIVACY_FLAGS replaces m4's default authwarnings; add it back (CIS requires it).",
            "CIS AIX 4.6.4.2"),
    MC204("mc-privacy-unknown-word", Severity.HIGH, "confPRIVACY_FLAGS has a word sendmail does not know",
            "The generated sendmail.cf will not load: sendmail rejects unknown PrivacyOptions words."),
    MC205("mc-check-ruleset-permissive", Severity.MEDIUM, "LOCAL_RULESETS check_vrfy/check_expn never rejects",
            "The rule set under LOCAL_RULESETS has no rule that returns $#error, so it restricts nothing."),
    MC206("mc-check-ruleset-bypassable", Severity.MEDIUM, "VRFY/EXPN are restricted only by a check_ rule set",
            "check_vrfy/check_expn are skipped for arguments that overflow sendmail's tokenizer; add novrfy/noexpn too."),
    MC210("mc-loglevel-low", Severity.MEDIUM, "confLOG_LEVEL too low to log VRFY/EXPN probes",
            "VRFY and EXPN are logged only at LogLevel 6 and above. Leave confLOG_LEVEL at its default 9."),
    MC211("mc-badrcptthrottle-unset", Severity.MEDIUM, "confBAD_RCPT_THROTTLE is not defined",
            "Without it, RCPT probes for unknown users run at full speed. define(`confBAD_RCPT_THROTTLE', `3')."),
    MC212("mc-maxrcpts-unset", Severity.LOW, "confMAX_RCPTS_PER_MESSAGE is not defined",
            "Without it one transaction can test any number of recipients. define(`confMAX_RCPTS_PER_MESSAGE', `100')."),
    MC213("mc-matchgecos", Severity.MEDIUM, "confMATCH_GECOS is on",
            "Full-name matching lets probers find users from staff lists. Remove the define or set it to False."),
    MC214("mc-no-rate-control", Severity.LOW, "no connection rate control",
            "Neither FEATURE(`ratecontrol') nor FEATURE(`conncontrol') nor confCONNECTION_RATE_THROTTLE is set, so a "
                    + "prober can reconnect without limit to reset per-connection counters."),
    MC220("mc-cf-drift", Severity.MEDIUM, "sendmail.cf differs from sendmail.mc",
            "The running sendmail.cf does not match what sendmail.mc would generate for this setting: someone edited the "
                    + ".cf by hand or forgot to rebuild it. Rebuild with make -C /etc/mail (or sendmailconfig)."),

    // Postfix
    PF301("postfix-vrfy-enabled", Severity.HIGH, "disable_vrfy_command is not yes",
            "Postfix answers VRFY with the same checks as RCPT, telling real users from unknown ones. "
                    + "Set disable_vrfy_command = yes in main.cf.",
            "Lynis MAIL-8820"),
    PF302("postfix-master-reopens-vrfy", Severity.HIGH, "a master.cf -o override turns VRFY back on",
            "main.cf disables VRFY but an smtpd service in master.cf overrides it with -o disable_vrfy_command=no; "
                    + "postconf -h shows only main.cf, so runtime checks (Lynis MAIL-8820) miss it. Remove the override.",
            "Lynis MAIL-8820"),
    PF303("postfix-vrfy-hidden-not-disabled", Severity.MEDIUM, "VRFY is hidden from EHLO but still answered",
            "smtpd_discard_ehlo_keywords removes VRFY from the EHLO list, but the command still works; probers send it "
                    + "anyway. Set disable_vrfy_command = yes."),
    PF304("postfix-helo-not-required", Severity.LOW, "smtpd_helo_required is not yes",
            "Probing scripts often skip HELO; requiring it costs real clients nothing. Set smtpd_helo_required = yes."),
    PF305("postfix-error-limits-lax", Severity.MEDIUM, "SMTP error limits allow long probing sessions",
            "smtpd_hard_error_limit above 20, a soft limit at or above the hard limit, smtpd_error_sleep_time 0 or "
                    + "smtpd_junk_command_limit above 100 let one connection test many recipients or VRFY names. "
                    + "Keep the defaults (10 soft, 20 hard, 1s sleep, 100 junk)."),
    PF306("postfix-no-recipient-rate-limit", Severity.MEDIUM, "smtpd_client_recipient_rate_limit is 0 (no limit)",
            "RCPT TO answers differ for real and unknown users; without a per-client recipient rate a prober can "
                    + "reconnect and test addresses without limit. Set smtpd_client_recipient_rate_limit (e.g. 100)."),
    PF307("postfix-table-name-shown", Severity.LOW, "show_user_unknown_table_name is yes",
            "Rejections say which table failed (\"User unknown in local recipient table\"), telling a prober which "
                    + "domains map to local accounts. Set show_user_unknown_table_name = no."),
    PF308("postfix-unlisted-recipient-accepted", Severity.LOW, "smtpd_reject_unlisted_recipient is no",
            "Mail to unknown users is accepted and bounced later, which sends backscatter to forged senders. Keep it yes "
                    + "and limit probing with smtpd_client_recipient_rate_limit instead."),

    // Exim
    EX401("exim-vrfy-acl-accepts-all", Severity.HIGH, "the VRFY ACL accepts every client",
            "acl_smtp_vrfy names an ACL (or the word accept) that accepts VRFY from any host, so anyone can verify "
                    + "addresses. Restrict it with hosts = or remove acl_smtp_vrfy (Exim then refuses VRFY or answers 252)."),
    EX402("exim-expn-acl-accepts-all", Severity.HIGH, "the EXPN ACL accepts every client",
            "acl_smtp_expn accepts EXPN from any host, so anyone can expand aliases and lists. Restrict it with "
                    + "hosts = or remove acl_smtp_expn (Exim then refuses EXPN)."),
    EX403("exim-acl-not-found", Severity.MEDIUM, "acl_smtp_vrfy/acl_smtp_expn names an ACL that does not exist",
            "Exim answers every such command with a temporary error and logs an ACL error. Define the ACL or remove the option."),
    EX404("exim-expn-shows-aliases", Severity.MEDIUM, "EXPN is allowed and a redirect router lacks no_expn",
            "EXPN runs the routers; a redirect router (data or file) without no_expn lists alias and mailing-list members "
                    + "and .forward targets to the hosts the EXPN ACL accepts. Add no_expn to the router: it only stops EXPN."),
    EX405("exim3-option", Severity.MEDIUM, "an Exim 3 option that Exim 4 no longer reads",
            "Exim 4 refuses to start on this option, and its intent (which hosts may VRFY, EXPN or relay) now belongs "
                    + "in an ACL. Replace it as the message says."),
    EX406("exim-vrfy-expn-acl-accepts-some", Severity.INFO, "VRFY/EXPN are accepted for some clients",
            "The ACL accepts VRFY or EXPN for listed hosts only. Check the host list is only your own systems."),
    EX407("exim-vrfy-runs-user-routers", Severity.MEDIUM, "VRFY is allowed and runs routers that know local users",
            "VRFY verifies the address as a recipient: routers with check_local_user or alias lookups answer 250 for a "
                    + "real name and 550 for an unknown one. Restrict acl_smtp_vrfy; no_verify on the routers is not the fix, "
                    + "because RCPT-time verify = recipient runs the same routers and would then refuse valid recipients."),

    // tacit.toml
    TC500("tacit-config-invalid", Severity.HIGH, "tacit serve refuses this configuration",
            "tacit serve checks every key, type and range at start-up and stops on the first error shown."),
    TC501("tacit-vrfy-open", Severity.HIGH, "privacy_options lets VRFY confirm users",
            "privacy_options has neither novrfy nor goaway. Use the default \"goaway\" or add novrfy.",
            "DISA STIG GEN004680", "KISA U-48"),
    TC502("tacit-expn-open", Severity.HIGH, "privacy_options lets EXPN list aliases",
            "privacy_options has neither noexpn nor goaway. Use the default \"goaway\" or add noexpn.",
            "DISA STIG GEN004660", "KISA U-48"),
    TC503("tacit-loglevel-low", Severity.MEDIUM, "log_level too low to log VRFY/EXPN probes",
            "Like sendmail, Tacit logs VRFY and EXPN only at log_level 6 and above. Use 9 (the default)."),
    TC504("tacit-enumeration-defense-off", Severity.MEDIUM, "enumeration_defense is off",
            "Without it, RCPT (and VRFY/EXPN when allowed) answer real and unknown users differently, in text and in "
                    + "timing, which is the oracle probers use. Keep enumeration_defense = true (the default)."),
    TC505("tacit-trusted-networks-broad", Severity.HIGH, "trusted_networks trusts a very large network",
            "Trusted clients get per-recipient answers with no latency envelope. A network such as 0.0.0.0/0 or a /4 "
                    + "makes the whole Internet (or a big part of it) trusted. List only your own relays."),
    TC506("tacit-guard-off", Severity.MEDIUM, "the enumeration guard is off",
            "guard.enabled = false stops counting unknown names per source, so a prober who reconnects is never "
                    + "tarpitted, refused or blocked. Keep guard.enabled = true (the default).");

    private final String name;
    private final Severity severity;
    private final String summary;
    private final String help;
    private final List<String> references;

    LintRule(String name, Severity severity, String summary, String help, String... references) {
        this.name = name;
        this.severity = severity;
        this.summary = summary;
        this.help = help;
        this.references = List.of(references);
    }

    public String id() {
        return name();
    }

    public String ruleName() {
        return name;
    }

    public Severity severity() {
        return severity;
    }

    public String summary() {
        return summary;
    }

    public String help() {
        return help;
    }

    public List<String> references() {
        return references;
    }

    public Rule toRule() {
        return new Rule(id(), name, severity, summary, help, null, references);
    }

    public static List<Rule> all() {
        return java.util.Arrays.stream(values()).map(LintRule::toRule).toList();
    }
}
