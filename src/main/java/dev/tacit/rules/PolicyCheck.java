package dev.tacit.rules;

import dev.tacit.smtp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a {@code check_vrfy} or {@code check_expn} rule set on the raw VRFY/EXPN argument and maps the
 * result to sendmail's decision (sendmail-privacy.md 7.1, 7.2):
 *
 * <ul>
 *   <li>the argument is tokenized with comments removed; the rule set sees it as typed (no canonify);
 *   <li>{@code $#error [$@ dsn] $: text} refuses: the {@code $:} tokens are joined with a space only
 *       between two words, quotes removed; {@code "NNN E.E.E text"} is used as is, {@code "NNN text"}
 *       gets the {@code $@} DSN or the default X.0.0 (2xx/4xx/5xx only), anything else is
 *       {@code 553 5.3.0 text}. Any code is allowed, 2xx and 421 included (421 does not close);
 *   <li>{@code $#error $@ quarantine $: text} and {@code $#discard} accept with a side effect;
 *       everything else accepts;
 *   <li>an engine error (loop guard, unknown set, missing map) is the answer, as in sendmail.
 * </ul>
 *
 * <p>Security: {@link #check} is sendmail's behaviour, including its fail-open hole (spec 7.3: an
 * argument too big for the tokenizer skips the rule set, and a long comma list then leaks real
 * answers). The server must use {@link #checkFailClosed}, which closes it: an untokenizable argument
 * is checked element by element and refused with the rule set's own rejection (or, for an element
 * that itself cannot be tokenized, with the tokenizer's 553 reply, which sendmail gives too), and an
 * accepted list is checked element by element as well.
 */
public final class PolicyCheck {

    private final RuleSets sets;
    private final RewriteEnvironment env;

    public PolicyCheck(RuleSets sets, RewriteEnvironment env) {
        this.sets = sets;
        this.env = env;
    }

    public RuleSets ruleSets() {
        return sets;
    }

    /** Whether {@code ruleset} exists (when not, VRFY/EXPN go on unchecked, as in sendmail). */
    public boolean isDefined(String ruleset) {
        return sets.isDefined(ruleset);
    }

    /** sendmail's exact behaviour, fail-open hole included. */
    public CheckResult check(String ruleset, String rawArgument) {
        if (!sets.isDefined(ruleset)) {
            return new CheckResult.NotDefined();
        }
        Tokenizer.Scan scan = sets.tokenizer().scan(rawArgument, 0, '\0', Tokenizer.Table.INTERNAL, false,
                Tokenizer.ADDRESS_BUFFER);
        if (scan instanceof Tokenizer.Scan.Failed f) {
            return new CheckResult.Unchecked(rawArgument, f.fatal());
        }
        List<Token> tokens = ((Tokenizer.Scan.Tokens) scan).tokens();
        if (tokens.isEmpty()) {
            return new CheckResult.Unchecked(rawArgument, null);
        }
        return run(ruleset, rawArgument, tokens);
    }

    private CheckResult run(String ruleset, String argument, List<Token> tokens) {
        Rewriter.Result r = new Rewriter(sets, env).rewrite(sets.find(ruleset), tokens, Rewriter.SILENT);
        if (!r.errors().isEmpty()) {
            Rewriter.RewriteError e = r.errors().get(0);
            return new CheckResult.Reject(e.reply(), argument, CheckResult.Cause.ENGINE_ERROR, ExitStatus.CONFIG,
                    e.text());
        }
        List<Token> ws = r.tokens();
        if (ws.size() < 2 || !ws.get(0).is(Token.Op.MAILER) || !ws.get(1).isLiteral()) {
            return new CheckResult.Accept(ws);
        }
        String mailer = ws.get(1).text();
        if (mailer.equals("discard")) {
            return new CheckResult.Discard(argument);
        }
        if (!mailer.equals("error")) {
            return new CheckResult.Accept(ws);
        }
        if (ws.size() > 3 && ws.get(2).is(Token.Op.HOST) && ws.get(3).isLiteral()
                && ws.get(3).text().equals("quarantine")) {
            String reason = ws.size() > 5 && ws.get(4).is(Token.Op.USER)
                    ? Rewriter.cat(ws.subList(5, ws.size()), ' ', true)
                    : ruleset;
            return new CheckResult.Quarantine(argument, reason);
        }
        return errorTriple(ws, argument);
    }

    /** sendmail's buildaddr for the error mailer: the reply and exit status of {@code $#error ...}. */
    private CheckResult errorTriple(List<Token> ws, String argument) {
        int i = 2;
        int hostStart = -1;
        if (i < ws.size() && ws.get(i).is(Token.Op.HOST)) {
            hostStart = ++i;
        }
        int user = i;
        while (user < ws.size() && !ws.get(user).is(Token.Op.USER)) {
            user++;
        }
        if (user >= ws.size()) {
            Rewriter.RewriteError e = new Rewriter.RewriteError(554, "5.3.5", "buildaddr: no user");
            return new CheckResult.Reject(e.reply(), argument, CheckResult.Cause.ENGINE_ERROR, ExitStatus.CONFIG,
                    e.text());
        }
        String host = null;
        if (hostStart >= 0 && user > hostStart) {
            host = Rewriter.cat(ws.subList(hostStart, user), sets.spaceSub(), true);
        }
        String text = Rewriter.cat(ws.subList(user + 1, ws.size()), ' ', false);
        if (text.length() > Tokenizer.MAX_TOKEN) {
            text = text.substring(0, Tokenizer.MAX_TOKEN);
        }
        int status;
        if (host == null) {
            status = ExitStatus.UNAVAILABLE;
        } else if (host.indexOf('.') >= 0) {
            status = ExitStatus.fromDsn(host);
        } else if (!host.isEmpty() && Character.isDigit(host.charAt(0))) {
            status = leadingNumber(host);
        } else {
            status = ExitStatus.fromWord(host);
        }
        text = Rewriter.stripQuotes(text).replace('\r', ' ').replace('\n', ' ');
        Reply reply;
        if (text.length() >= 4 && isDigit(text, 0) && isDigit(text, 1) && isDigit(text, 2) && text.charAt(3) == ' ') {
            int code = Integer.parseInt(text.substring(0, 3));
            int enh = enhancedLength(text, 4, ' ');
            if (enh > 0) {
                reply = Reply.of(code, text.substring(4, 4 + enh), text.substring(5 + enh));
            } else if (host != null && enhancedLength(host, 0, '\0') > 0) {
                reply = Reply.of(code, host, text.substring(4));
            } else {
                reply = Reply.of(code, Rewriter.defaultEnhanced(code), text.substring(4));
            }
        } else {
            reply = Reply.of(553, "5.3.0", text);
        }
        return new CheckResult.Reject(reply, argument, CheckResult.Cause.RULESET, status, null);
    }

    private static boolean isDigit(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private static int leadingNumber(String s) {
        int n = 0;
        for (int i = 0; i < s.length() && isDigit(s, i) && n < 100000; i++) {
            n = n * 10 + (s.charAt(i) - '0');
        }
        return n;
    }

    /**
     * sendmail's isenhsc: the length of an enhanced status code ({@code 2|4|5 . digits . digits}) at
     * {@code from} that is followed by {@code delim} ({@code '\0'}: the end), else -1.
     */
    static int enhancedLength(String s, int from, char delim) {
        if (from + 1 >= s.length()) {
            return -1;
        }
        char c = s.charAt(from);
        if ((c != '2' && c != '4' && c != '5') || s.charAt(from + 1) != '.') {
            return -1;
        }
        int i = from + 2;
        int d = i;
        while (isDigit(s, i)) {
            i++;
        }
        if (i == d || i >= s.length() || s.charAt(i) != '.') {
            return -1;
        }
        i++;
        d = i;
        while (isDigit(s, i)) {
            i++;
        }
        if (i == d) {
            return -1;
        }
        boolean ends = delim == '\0' ? i == s.length() : i < s.length() && s.charAt(i) == delim;
        return ends ? i - from : -1;
    }

    /**
     * Tacit's check: {@link #check}, except that an argument the tokenizer cannot take is refused (each
     * element of a list is run through the rule set, and the first refusal is the answer), and a list
     * the rule set accepted as a whole is also checked element by element. Never returns
     * {@link CheckResult.Unchecked}.
     */
    public CheckResult checkFailClosed(String ruleset, String rawArgument) {
        CheckResult whole = check(ruleset, rawArgument);
        if (whole instanceof CheckResult.NotDefined || whole instanceof CheckResult.Reject) {
            return whole;
        }
        List<String> elements = elements(rawArgument);
        if (whole instanceof CheckResult.Unchecked u && elements.size() <= 1) {
            return refuseUntokenizable(ruleset, u);
        }
        if (elements.size() <= 1) {
            return whole;
        }
        for (String e : elements) {
            CheckResult r = check(ruleset, e);
            if (r instanceof CheckResult.Reject) {
                return r;
            }
            if (r instanceof CheckResult.Unchecked u) {
                return refuseUntokenizable(ruleset, u);
            }
        }
        return whole instanceof CheckResult.Unchecked ? new CheckResult.Accept(List.of()) : whole;
    }

    private CheckResult refuseUntokenizable(String ruleset, CheckResult.Unchecked u) {
        if (u.problem() == null) {
            // nothing but a comment: run the rule set on an empty workspace rather than skip it
            return run(ruleset, u.argument(), List.of());
        }
        return new CheckResult.Reject(u.problem().reply(u.argument()), u.argument(),
                CheckResult.Cause.UNTOKENIZABLE, ExitStatus.DATAERR, null);
    }

    /**
     * The elements of a comma-separated address list, split where sendmail's address parser splits:
     * at commas outside quotes, comments and angle brackets.
     */
    static List<String> elements(String raw) {
        List<String> out = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        boolean escaped = false;
        boolean route = false;
        int comments = 0;
        int angles = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (quoted) {
                quoted = c != '"';
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                comments++;
            } else if (c == ')' && comments > 0) {
                comments--;
            } else if (comments > 0) {
                continue;
            } else if (c == '<') {
                angles++;
                int p = i + 1;
                while (p < raw.length() && Tokenizer.isSpace(raw.charAt(p))) {
                    p++;
                }
                if (p < raw.length() && raw.charAt(p) == '@') {
                    route = true;
                }
            } else if (c == '>') {
                if (angles > 0) {
                    angles--;
                }
                route = false;
            } else if (c == ',' && (angles <= 0 || !route)) {
                add(out, raw.substring(start, i));
                start = i + 1;
                angles = 0;
            }
        }
        add(out, raw.substring(start));
        return out;
    }

    private static void add(List<String> out, String element) {
        if (!element.isBlank()) {
            out.add(element.strip());
        }
    }

    /** One log line: written when LogLevel is above {@code minLevel}; {@code queueId}: prefix the session's id. */
    public record LogEntry(int minLevel, String priority, boolean queueId, String text) {}

    /**
     * The line sendmail logs for a result: {@code ruleset=check_vrfy, arg1=<arg>, relay=<client>,
     * reject=<reply>} (notice, LogLevel > 3, no queue id), {@code ..., discard}, {@code ...,
     * quarantine=<text>}, or {@code SYSERR(root): <error>} (crit) for an engine error. Empty for an
     * accept. {@code relay} is the client as sendmail names it ({@code localhost [127.0.0.1]}), or null.
     */
    public static Optional<LogEntry> logEntry(String ruleset, String relay, CheckResult result) {
        String tail = relay == null ? "" : ", relay=" + relay;
        return switch (result) {
            case CheckResult.Reject r when r.cause() == CheckResult.Cause.ENGINE_ERROR ->
                    Optional.of(new LogEntry(0, "crit", true, "SYSERR(root): " + r.detail()));
            case CheckResult.Reject r -> Optional.of(new LogEntry(3, "notice", false,
                    "ruleset=" + ruleset + ", arg1=" + r.argument() + tail + ", reject=" + replyText(r.reply())));
            case CheckResult.Discard d -> Optional.of(new LogEntry(3, "notice", false,
                    "ruleset=" + ruleset + ", arg1=" + d.argument() + tail + ", discard"));
            case CheckResult.Quarantine q -> Optional.of(new LogEntry(3, "notice", false,
                    "ruleset=" + ruleset + ", arg1=" + q.argument() + tail + ", quarantine=" + q.reason()));
            default -> Optional.empty();
        };
    }

    /** A one-line reply as sendmail writes it into logs: {@code 252 2.5.2 VRFY forbidden}. */
    public static String replyText(Reply r) {
        String wire = r.toWire();
        return wire.substring(0, wire.length() - 2);
    }
}
