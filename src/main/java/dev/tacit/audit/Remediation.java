package dev.tacit.audit;

/**
 * How to fix each kind of finding on each MTA, with the exact configuration lines, and how to check
 * the fix. The texts come from each product's own documentation (peers.md 1.1 and 1.4); for an
 * unknown MTA they name the generic goal.
 */
public final class Remediation {

    private Remediation() {}

    /** What can be wrong; one remediation text per issue and MTA. */
    public enum Issue {
        VRFY, EXPN, RCPT, USERS, TIMING, VERSION, VERB, ETRN, DEBUG_COMMAND, ADVERTISED_MISMATCH, NO_STARTTLS,
        AUTH_BEFORE_TLS, OPEN_RELAY
    }

    public static String of(Mta mta, Issue issue, Target t) {
        String verifyClosed = "Verify: tacit audit " + t.display() + " --expect-closed (exit 0 once VRFY and EXPN no longer tell users apart).";
        String verifyAgain = "Verify: run tacit audit " + t.display() + " again; the finding must be gone.";
        return switch (issue) {
            case VRFY, EXPN, USERS -> vrfyExpn(mta, issue) + " " + verifyClosed;
            case RCPT -> rcpt(mta) + " " + verifyAgain;
            case TIMING -> "Make replies for known and unknown recipients take the same time: drop per-failure delays"
                    + " (sendmail BadRcptThrottle, Postfix smtpd_error_sleep_time) or apply them to every reply. " + verifyAgain
                    + " with --timing";
            case VERSION -> version(mta) + " " + verifyAgain;
            case VERB -> switch (mta) {
                case SENDMAIL -> "sendmail.mc: define(`confPRIVACY_FLAGS', `goaway')dnl (goaway implies noexpn, which implies noverb); or sendmail.cf: O PrivacyOptions=goaway,noverb. Rebuild sendmail.cf and restart.";
                case TACIT -> "tacit.toml: privacy_options = \"goaway\" (or add \"noverb\").";
                default -> "Disable the VERB command.";
            } + " " + verifyAgain;
            case ETRN -> switch (mta) {
                case SENDMAIL -> "sendmail.mc: define(`confPRIVACY_FLAGS', `goaway,noetrn')dnl; or sendmail.cf: O PrivacyOptions=goaway,noetrn.";
                case POSTFIX -> "main.cf: smtpd_etrn_restrictions = permit_mynetworks, reject";
                case EXIM -> "Remove acl_smtp_etrn, or make it deny for hosts outside your networks.";
                case TACIT -> "tacit.toml: privacy_options = \"goaway,noetrn\"";
                default -> "Refuse ETRN from hosts that do not need it.";
            } + " " + verifyAgain;
            case DEBUG_COMMAND -> "The server answers a debugging command (DEBUG, SHOWQ or WIZ) differently from an unknown"
                    + " command: upgrade it or disable the command (sendmail: build without SMTPDEBUG). " + verifyAgain;
            case ADVERTISED_MISMATCH -> switch (mta) {
                case POSTFIX -> "main.cf: smtpd_discard_ehlo_keywords = vrfy (when disable_vrfy_command = yes), so EHLO matches what the server does.";
                case EXIM -> "Set acl_smtp_vrfy / acl_smtp_expn only when the commands are meant to work; Exim advertises them when they are set.";
                default -> "Advertise in EHLO only the commands the server answers.";
            } + " " + verifyAgain;
            case NO_STARTTLS -> switch (mta) {
                case SENDMAIL -> "sendmail.mc: define(`confSERVER_CERT', `/etc/mail/tls/cert.pem')dnl and define(`confSERVER_KEY', `/etc/mail/tls/key.pem')dnl";
                case POSTFIX -> "main.cf: smtpd_tls_chain_files = /etc/postfix/key.pem, /etc/postfix/cert.pem and smtpd_tls_security_level = may";
                case EXIM -> "main section: tls_advertise_hosts = * plus tls_certificate = /etc/exim4/exim.crt and tls_privatekey = /etc/exim4/exim.key";
                default -> "Offer STARTTLS (RFC 3207) with a certificate for the server's name.";
            } + " " + verifyAgain;
            case AUTH_BEFORE_TLS -> switch (mta) {
                case POSTFIX -> "main.cf: smtpd_tls_auth_only = yes";
                case SENDMAIL -> "sendmail.mc: define(`confAUTH_OPTIONS', `A p')dnl (p: no plaintext mechanisms without TLS)";
                case EXIM -> "In each authenticator: server_advertise_condition = ${if def:tls_in_cipher}";
                case EXCHANGE -> "Set-ReceiveConnector \"<connector>\" -AuthMechanism Tls (no BasicAuth without TLS)";
                default -> "Offer AUTH only after STARTTLS.";
            } + " " + verifyAgain;
            case OPEN_RELAY -> switch (mta) {
                case POSTFIX -> "main.cf: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination; keep mynetworks to your own networks.";
                case SENDMAIL -> "Remove promiscuous_relay / relay_entire_domain features and RELAY entries for foreign networks from the access db.";
                case EXIM -> "acl_check_rcpt: keep `require verify = sender` and `accept hosts = +relay_from_hosts`; hostlist relay_from_hosts must list only your networks.";
                case EXCHANGE -> "Remove ms-Exch-SMTP-Accept-Any-Recipient from Anonymous Logon on the receive connector.";
                default -> "Relay only for your own networks and authenticated users.";
            } + " Note: the check ran from this auditor's address; a server that trusts that address (mynetworks) relays for it by design. " + verifyAgain;
        };
    }

    private static String vrfyExpn(Mta mta, Issue issue) {
        return switch (mta) {
            case SENDMAIL -> "sendmail.mc: define(`confPRIVACY_FLAGS', `authwarnings,goaway')dnl, then rebuild sendmail.cf"
                    + " (m4 sendmail.mc > sendmail.cf) and restart; or in sendmail.cf directly: O PrivacyOptions=authwarnings,goaway"
                    + " (the word is goaway; guides that print \"goawayin\" are wrong and sendmail refuses unknown words)."
                    + " VRFY then answers 252 2.5.2 and EXPN 502 5.7.0 for every name.";
            case POSTFIX -> issue == Issue.EXPN
                    ? "Postfix has no EXPN; check that no content filter or proxy in front of it answers EXPN."
                    : "main.cf: disable_vrfy_command = yes and smtpd_discard_ehlo_keywords = vrfy, then postfix reload."
                      + " VRFY then answers 502 5.5.1 for every name.";
            case EXIM -> "Remove acl_smtp_vrfy and acl_smtp_expn from the main configuration (without them Exim answers"
                    + " 252 Administrative prohibition to VRFY and 550 to EXPN), or make those ACLs end in `deny`. Then restart exim.";
            case OPENSMTPD -> "OpenSMTPD has no VRFY/EXPN; check the proxy or filter in front of it.";
            case EXCHANGE -> "Exchange answers VRFY with 252 for every name by design; check for a third-party gateway in front of it.";
            case JAMES -> "James refuses VRFY/EXPN (502 5.3.3); check for a custom command handler in smtpserver.xml <handlerchain>.";
            case TACIT -> "tacit.toml: privacy_options = \"goaway\" (the default), then restart tacit serve.";
            case UNKNOWN -> "Make VRFY answer 252 (RFC 5321 3.5.3) or 502 for every name, and refuse EXPN.";
        };
    }

    private static String rcpt(Mta mta) {
        return switch (mta) {
            case SENDMAIL -> "RCPT answers cannot be made uniform in sendmail; limit probing: sendmail.mc define(`confBAD_RCPT_THROTTLE', `2')dnl"
                    + " (O BadRcptThrottle=2) and FEATURE(`ratecontrol') / FEATURE(`conncontrol') with access-db limits.";
            case POSTFIX -> "RCPT answers cannot be made uniform in Postfix; limit probing in main.cf:"
                    + " smtpd_client_recipient_rate_limit = 30, smtpd_hard_error_limit = 5, show_user_unknown_table_name = no,"
                    + " and postscreen in front of smtpd.";
            case EXIM -> "acl_check_rcpt: before `require verify = recipient` add"
                    + " `deny ratelimit = 10 / 1h / per_rcpt / $sender_host_address` with `message = too many recipients`, and"
                    + " `delay = 5s` on unknown recipients only if every reply is delayed alike.";
            case EXCHANGE -> "Set-ReceiveConnector \"<connector>\" -TarpitInterval 00:00:05 -MaxProtocolErrors 3, and keep recipient"
                    + " filtering behind the tarpit.";
            case TACIT -> "tacit.toml: enumeration_defense = true (the default) so untrusted clients get the same RCPT answer for"
                    + " real and unknown users, with trusted_networks limited to your own networks, and the [guard] on"
                    + " (guard.enabled = true) to tarpit, refuse and block probers across connections.";
            default -> "Rate-limit unknown recipients per client across connections, or accept and reject at end of DATA.";
        };
    }

    private static String version(Mta mta) {
        return switch (mta) {
            case SENDMAIL -> "sendmail.mc: define(`confSMTP_LOGIN_MSG', `$j ESMTP')dnl and remove $v from the helpfile (O HelpFile).";
            case POSTFIX -> "main.cf: smtpd_banner = $myhostname ESMTP";
            case EXIM -> "main section: smtp_banner = $smtp_active_hostname ESMTP";
            case EXCHANGE -> "Set-ReceiveConnector \"<connector>\" -Banner \"220 mail.example.com\"";
            case TACIT -> "tacit.toml: greeting_text = \"\" and a help_file that names no version.";
            default -> "Remove the product version from the greeting, EHLO and HELP replies.";
        };
    }
}
