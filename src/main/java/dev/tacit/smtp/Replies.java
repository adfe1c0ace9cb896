package dev.tacit.smtp;

import java.util.List;

/**
 * The reply catalogue: every text Tacit's server sends, in one place.
 *
 * <p>Where sendmail 8.17 has a reply for the same situation, the text, code and enhanced code are
 * sendmail's, byte for byte (shared/spec/sendmail-privacy.md, appendix A), so scripts and scanners
 * written against sendmail see the same server. Where sendmail leaks (version in HELP, 050 notices)
 * or has nothing, the text is Tacit's own and says so in a comment.
 */
public final class Replies {

    private Replies() {}

    /** sendmail shortens echoed strings longer than 203 characters (util.c shortenstring). */
    public static final int MAX_SHORT_STRING = 203;

    public static String shorten(String s) {
        if (s.length() <= MAX_SHORT_STRING) {
            return s;
        }
        return s.substring(0, 100) + "..." + s.substring(s.length() - 100);
    }

    // ---------------------------------------------------------------- connection

    public static Reply greeting(String host, String text) {
        return Reply.of(220, text == null || text.isBlank() ? host + " ESMTP" : host + " ESMTP " + text);
    }

    public static Reply heloOk(String host, String client) {
        return Reply.of(250, host + " Hello " + client + ", pleased to meet you");
    }

    public static Reply ehlo(String host, String client, List<String> keywords) {
        var lines = new java.util.ArrayList<String>(keywords.size() + 1);
        lines.add(host + " Hello " + client + ", pleased to meet you");
        lines.addAll(keywords);
        return new Reply(250, null, lines);
    }

    public static Reply heloNeedsDomain(String commandAsTyped) {
        return Reply.of(501, "5.0.0", commandAsTyped + " requires domain address");
    }

    public static final Reply INVALID_DOMAIN = Reply.of(501, "5.0.0", "Invalid domain name");

    public static Reply quit(String host) {
        return Reply.of(221, "2.0.0", host + " closing connection");
    }

    public static Reply tooManyBadCommands(String host) {
        return Reply.of(421, "4.7.0", host + " Too many bad commands; closing connection");
    }

    public static Reply commandTooLong(String host, String client) {
        return Reply.of(421, "4.7.0", host + " Command too long, possible attack " + client);
    }

    public static Reply openProxy(String host, String client) {
        return Reply.of(421, "4.7.0", host + " Rejecting open proxy " + client);
    }

    /** Tacit's text: RFC 5321 4.5.3.2 server timeout. */
    public static Reply timeout(String host) {
        return Reply.of(421, "4.4.2", host + " Timeout waiting for input; closing connection");
    }

    /** Tacit's text: connection limits (RFC 3463 4.7.0: security or policy). */
    public static Reply tooManyConnections(String host) {
        return Reply.of(421, "4.7.0", host + " Too many connections; try again later");
    }

    public static Reply tooManyConnectionsFromClient(String host) {
        return Reply.of(421, "4.7.0", host + " Too many connections from your address; try again later");
    }

    /** Tacit's text: orderly shutdown (RFC 3463 4.3.2: system not accepting network messages). */
    public static Reply shuttingDown(String host) {
        return Reply.of(421, "4.3.2", host + " Service shutting down; closing connection");
    }

    // ---------------------------------------------------------------- commands

    public static Reply unrecognized(String line) {
        return Reply.of(500, "5.5.1", "Command unrecognized: \"" + shorten(line) + "\"");
    }

    public static Reply notImplemented(String line) {
        return Reply.of(502, "5.5.1", "Command not implemented: \"" + shorten(line) + "\"");
    }

    /** Tacit's text: NUL or other control bytes in a command line. */
    public static final Reply INVALID_CHARACTERS = Reply.of(500, "5.5.2", "Command contains invalid characters");

    public static final Reply OK = Reply.of(250, "2.0.0", "OK");
    public static final Reply RESET = Reply.of(250, "2.0.0", "Reset state");
    public static final Reply VERBOSE = Reply.of(250, "2.0.0", "Verbose mode");
    public static final Reply VERBOSE_UNAVAILABLE = Reply.of(502, "5.7.0", "Verbose unavailable");
    public static final Reply NOT_ALLOWED = Reply.of(502, "5.7.0", "Sorry, we do not allow this operation");
    public static final Reply ARGUMENT_REQUIRED = Reply.of(501, "5.5.2", "Argument required");
    public static final Reply PARAMETER_REQUIRED = Reply.of(500, "5.5.2", "Parameter required");
    public static final Reply INTRODUCE_YOURSELF = Reply.of(503, "5.0.0", "I demand that you introduce yourself first");
    public static final Reply POLITE_PEOPLE = Reply.of(503, "5.0.0", "Polite people say HELO first");
    /** sendmail's novrfy text; the enhanced code is part of sendmail's plain message. */
    public static final Reply CANNOT_VRFY =
            Reply.of(252, "2.5.2", "Cannot VRFY user; try RCPT to attempt delivery (or try finger)");

    public static Reply etrnStarted(String node) {
        return Reply.of(250, "2.0.0", "Queuing for node " + node + " started");
    }

    public static Reply queueUnknown(String queue) {
        return Reply.of(459, "4.5.4", "Queue " + shorten(queue) + " unknown");
    }

    public static Reply nothingTo(String verb) {
        return Reply.of(554, "5.5.2", "Nothing to " + verb);
    }

    // ---------------------------------------------------------------- STARTTLS and AUTH (Tacit's texts, from RFC 3207 and RFC 4954)

    public static final Reply READY_TLS = Reply.of(220, "2.0.0", "Ready to start TLS");
    public static final Reply TLS_NO_PARAMETERS = Reply.of(501, "5.5.4", "Syntax error (no parameters allowed)");
    public static final Reply TLS_ALREADY_ACTIVE = Reply.of(503, "5.5.1", "TLS already active");
    public static final Reply TLS_IN_TRANSACTION = Reply.of(503, "5.5.1", "STARTTLS not permitted during a mail transaction");
    /** RFC 3207 4: a submission client that skipped STARTTLS. */
    public static final Reply STARTTLS_FIRST = Reply.of(530, "5.7.0", "Must issue a STARTTLS command first");

    /** RFC 4954 4: a challenge; the text is base64 (empty for PLAIN's "send your credentials"). */
    public static Reply authChallenge(String base64) {
        return Reply.of(334, base64);
    }

    public static final Reply AUTH_OK = Reply.of(235, "2.7.0", "Authentication successful");
    /** RFC 4954 6: the one answer to every wrong login or password. */
    public static final Reply AUTH_FAILED = Reply.of(535, "5.7.8", "Authentication credentials invalid");
    public static final Reply AUTH_TEMPORARY = Reply.of(454, "4.7.0", "Temporary authentication failure");
    public static final Reply AUTH_REQUIRED = Reply.of(530, "5.7.0", "Authentication required");
    public static final Reply AUTH_ENCRYPTION_REQUIRED = Reply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final Reply AUTH_TOO_WEAK = Reply.of(534, "5.7.9", "Authentication mechanism is too weak");
    public static final Reply AUTH_UNKNOWN_MECHANISM = Reply.of(504, "5.5.4", "Unrecognized authentication type");
    /** sendmail's text when it offers no mechanism. */
    public static final Reply AUTH_NOT_AVAILABLE = Reply.of(503, "5.3.3", "AUTH not available");
    public static final Reply AUTH_ALREADY = Reply.of(503, "5.5.1", "Already authenticated");
    public static final Reply AUTH_IN_TRANSACTION = Reply.of(503, "5.5.1", "AUTH not permitted during a mail transaction");
    public static final Reply AUTH_SYNTAX = Reply.of(501, "5.5.4", "Syntax error in parameters");
    public static final Reply AUTH_ABORTED = Reply.of(501, "5.0.0", "Authentication aborted");
    public static final Reply AUTH_CANNOT_DECODE = Reply.of(501, "5.5.2", "Cannot decode response");
    public static final Reply AUTH_LINE_TOO_LONG = Reply.of(500, "5.5.6", "Authentication Exchange line is too long");

    // ---------------------------------------------------------------- HELP

    public static Reply helpTopicUnknown(String topic) {
        String t = topic.length() > 10 ? topic.substring(0, 10) : topic;
        return Reply.of(504, "5.3.0", "HELP topic \"" + t + "\" unknown");
    }

    public static Reply help(List<String> lines) {
        var all = new java.util.ArrayList<String>(lines);
        all.add("End of HELP info");
        return new Reply(214, "2.0.0", all);
    }

    // ---------------------------------------------------------------- MAIL / RCPT / DATA

    // Out of sequence: sendmail's texts, but RFC 3463's 5.5.1 ("a command out of sequence") where
    // sendmail says 5.0.0/5.5.0, as Postfix and Exim do. The HELO demands of needmailhelo etc. are
    // privacy answers and stay byte for byte sendmail's.
    public static final Reply NEED_MAIL_BEFORE_RCPT = Reply.of(503, "5.5.1", "Need MAIL before RCPT");
    public static final Reply NEED_MAIL = Reply.of(503, "5.5.1", "Need MAIL command");
    public static final Reply NEED_RCPT = Reply.of(503, "5.5.1", "Need RCPT (recipient)");
    public static final Reply SENDER_ALREADY = Reply.of(503, "5.5.1", "Sender already specified");
    public static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Too many recipients");

    public static Reply syntaxScanning(String word) {
        return Reply.of(501, "5.5.2", "Syntax error in parameters scanning \"" + shorten(word) + "\"");
    }

    public static Reply senderOk(String addr) {
        return Reply.of(250, "2.1.0", addr + "... Sender ok");
    }

    public static Reply recipientOk(String addr) {
        return Reply.of(250, "2.1.5", addr + "... Recipient ok");
    }

    public static Reply userUnknown(String addr) {
        return Reply.of(550, "5.1.1", shorten(addr) + "... User unknown");
    }

    /** A program, file or :include: named by the client rather than by an alias; what = "programs", ... */
    public static Reply cannotMailDirectly(String addr, String what) {
        return Reply.of(550, "5.7.1", shorten(addr) + "... Cannot mail directly to " + what);
    }

    /** An alias whose expansion ends nowhere (every path loops back). */
    public static final Reply LOOP_BROKEN = Reply.of(554, "5.4.6", "aliasing/forwarding loop broken");

    /** Alias nesting deeper than the limit (sendmail's MaxAliasRecursion, 10). */
    public static Reply loopTooDeep(int level, int max) {
        return Reply.of(554, "5.4.6", "aliasing/forwarding loop broken (" + level + " aliases deep; " + max + " max)");
    }

    public static Reply tokenTooLong(String addr) {
        return Reply.of(553, "5.1.0", shorten(addr) + "... prescan: token too long");
    }

    public static Reply addressTooLong(String addr) {
        return Reply.of(553, "5.1.1", shorten(addr) + "... Address too long");
    }

    public static Reply userAddressRequired(String addr) {
        return Reply.of(553, "5.1.3", shorten(addr) + "... User address required");
    }

    /** An alias's :include: file that cannot be read. */
    public static Reply cannotOpen(String addr, String path, String reason) {
        return Reply.of(550, "5.2.4", shorten(addr) + "... Cannot open " + shorten(path) + ": " + reason);
    }

    /** Tacit's text: an alias target |program or /file while directory.allow_*_targets is off. */
    public static Reply targetDisabled(String addr) {
        return Reply.of(550, "5.7.1", shorten(addr) + "... Program and file targets are disabled here");
    }

    public static Reply relayingDenied(String addr) {
        return Reply.of(550, "5.7.1", addr + "... Relaying denied");
    }

    /** Tacit's text: a directory backend is down; never "user unknown" (RFC 3463 4.3.0). */
    public static Reply lookupFailed(String addr) {
        return Reply.of(451, "4.3.0", addr + "... Temporary lookup failure; try again later");
    }

    public static Reply badSenderSyntax(String addr) {
        return Reply.of(501, "5.1.7", shorten(addr) + "... Bad sender address syntax");
    }

    public static Reply badRecipientSyntax(String addr) {
        return Reply.of(501, "5.1.3", shorten(addr) + "... Bad recipient address syntax");
    }

    public static Reply hostnameRequired(String addr) {
        return Reply.of(553, "5.1.3", shorten(addr) + "... Hostname required");
    }

    public static Reply unbalanced(String addr, char c) {
        return Reply.of(553, "5.0.0", shorten(addr) + "... Unbalanced '" + c + "'");
    }

    public static Reply parameterUnrecognized(String param) {
        return Reply.of(555, "5.5.4", shorten(param) + " parameter unrecognized");
    }

    public static Reply badParameter(String param) {
        return Reply.of(501, "5.5.4", "Syntax error in parameter " + shorten(param));
    }


    // DSN parameters (RFC 3461), sendmail's texts (srvrsmtp.c mail_esmtp_args / rcpt_esmtp_args)

    /** A DSN parameter while DSN is not offered (noreceipts). */
    public static Reply dsnNotAllowed(String param) {
        return Reply.of(504, "5.7.0", "Sorry, " + param + " not supported, we do not allow DSN");
    }

    public static Reply requiresValue(String param) {
        return Reply.of(501, "5.5.2", param + " requires a value");
    }

    public static Reply syntaxInParameter(String param) {
        return Reply.of(501, "5.5.4", "Syntax error in " + param + " parameter value");
    }

    public static Reply badRet(String value) {
        return Reply.of(501, "5.5.2", "Bad argument \"" + shorten(value) + "\" to RET");
    }

    /** sendmail's text, two spaces included. */
    public static Reply badNotify(String value) {
        return Reply.of(501, "5.5.4", "Bad argument \"" + shorten(value) + "\"  to NOTIFY");
    }
    /** RFC 6531 3.7.4.1: a non-ASCII address without the SMTPUTF8 parameter. */
    public static Reply needsSmtputf8(String addr) {
        return Reply.of(553, "5.6.7", shorten(addr) + "... Non-ASCII address requires SMTPUTF8");
    }

    public static Reply sizeExceeded(long max) {
        return Reply.of(552, "5.3.4", "Message size exceeds fixed maximum message size (" + max + ")");
    }

    public static final Reply START_DATA = Reply.of(354, "Enter mail, end with \".\" on a line by itself");

    public static Reply accepted(String queueId) {
        return Reply.of(250, "2.0.0", queueId + " Message accepted for delivery");
    }

    /** Tacit's text: SMTP smuggling defence (RFC 5321 2.3.8: lines end in CRLF only). */
    public static final Reply BARE_NEWLINE =
            Reply.of(554, "5.6.0", "Message contains a bare CR or LF; lines must end with CRLF");

    public static Reply dataLineTooLong(int max) {
        return Reply.of(552, "5.3.4", "Message has a line longer than " + max + " bytes");
    }

    /** Tacit's text: the enumeration defence's one verdict after DATA; names no address. */
    public static final Reply NO_VALID_RECIPIENTS = Reply.of(550, "5.1.1", "No valid recipients");

    /** Tacit's text: the guard refuses a source that probed too much (temporary, RFC 3463 4.7.1). */
    public static Reply guardRefused(String host) {
        return Reply.of(450, "4.7.1", host + " Too many invalid requests from your address; try again later");
    }

    public static Reply guardBlocked(String host) {
        return Reply.of(421, "4.7.0", host + " Too many invalid requests from your address; closing connection");
    }

    /** Postfix's text for smtpd_hard_error_limit. */
    public static Reply tooManyErrors(String host) {
        return Reply.of(421, "4.7.0", host + " Error: too many errors");
    }

    public static final Reply STORAGE_FULL = Reply.of(452, "4.3.1", "Insufficient system storage");
    public static final Reply LOCAL_ERROR = Reply.of(451, "4.3.0", "Local error in processing; try again later");
}
