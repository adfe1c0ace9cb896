package dev.tacit.policy;

import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.Resolution;
import dev.tacit.directory.Target;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.MailAddress;
import dev.tacit.events.MailLog;
import dev.tacit.events.ProbeEvent;
import dev.tacit.events.ProbeEvents;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what a client learns from VRFY, EXPN, RCPT, VERB and ETRN, and which of
 * them EHLO advertises. Handlers ask it and apply the {@link Decision}; nothing else in the server
 * answers these commands.
 *
 * <p>Security: with {@code privacy_options = "goaway"} (the default) VRFY answers sendmail's neutral
 * 252 and EXPN 502 whatever the argument, before the directory is consulted; the order of checks is
 * sendmail's (sendmail-privacy.md 5.2, 6.1: the refusal comes before the need-HELO check).
 *
 * <p>Config keys: privacy_options.
 */
public final class SmtpPolicy {

    private static final Logger log = LoggerFactory.getLogger(SmtpPolicy.class);

    /** sendmail's compile-time limits (srvrsmtp.c): HELO, VRFY+EXPN, ETRN. */
    public static final int MAX_HELO = 3;
    public static final int MAX_VRFY = 6;
    public static final int MAX_ETRN = 8;

    private final PrivacyOptions privacy;
    private final SendmailVerifier verifier;
    private final MailLog mailLog;
    private final ProbeEvents events;
    private final int maxNoop;

    public SmtpPolicy(PrivacyOptions privacy, SendmailVerifier verifier, MailLog mailLog, ProbeEvents events, int maxNoop) {
        this.privacy = privacy;
        this.verifier = verifier;
        this.mailLog = mailLog;
        this.events = events;
        this.maxNoop = maxNoop;
    }

    public PrivacyOptions privacy() {
        return privacy;
    }

    /** ESMTP keywords after the greeting line, in sendmail's order (sendmail-privacy.md 4). */
    public List<String> ehloKeywords(long maxSize) {
        List<String> k = new ArrayList<>();
        k.add("ENHANCEDSTATUSCODES");
        k.add("PIPELINING");
        if (privacy.expnOffered()) {
            k.add("EXPN");
        }
        if (privacy.verbOffered()) {
            k.add("VERB");
        }
        k.add("8BITMIME");
        k.add("SIZE " + maxSize);
        if (!privacy.has(PrivacyOptions.Flag.NOETRN)) {
            k.add("ETRN");
        }
        k.add("SMTPUTF8");
        k.add("HELP");
        return k;
    }

    /**
     * sendmail's checksmtpattack: nothing below the limit; at the limit the "possible SMTP attack" line
     * (LogLevel > 5); from the limit on, a delay growing as 2^(count - limit) seconds, at most 240.
     *
     * <p>Deviation from sendmail (sendmail-privacy.md 9): sendmail skips part of the VRFY/EXPN wait
     * when the lookup fails, so unknown users answer faster than real ones. Tacit returns the same
     * delay whatever the answer will be.
     */
    public Duration attackDelay(ClientView c, String command, int count, int limit) {
        return AttackDelay.of(count, limit, () -> mailLog.log(5, MailLog.Priority.INFO, c.sessionId(),
                c.clientName() + ": possible SMTP attack: command=" + command + ", count=" + count));
    }

    public Duration heloDelay(ClientView c, int count) {
        return attackDelay(c, "HELO/EHLO", count, MAX_HELO);
    }

    public Duration noopDelay(ClientView c, String command, int count) {
        return attackDelay(c, command, count, maxNoop);
    }

    public Decision vrfy(ClientView c, CommandLine cmd, int count) {
        Duration delay = attackDelay(c, "VRFY", count, MAX_VRFY);
        if (privacy.has(PrivacyOptions.Flag.NOVRFY)) {
            return refuse(c, cmd, Replies.CANNOT_VRFY, delay);
        }
        return lookup(c, cmd, delay, PrivacyOptions.Flag.NEEDVRFYHELO, false);
    }

    public Decision expn(ClientView c, CommandLine cmd, int count) {
        Duration delay = attackDelay(c, "EXPN", count, MAX_VRFY);
        if (!privacy.expnOffered()) {
            return refuse(c, cmd, Replies.NOT_ALLOWED, delay);
        }
        return lookup(c, cmd, delay, PrivacyOptions.Flag.NEEDEXPNHELO, true);
    }

    /** A privacy flag refuses the command before the directory is asked (sendmail 6.1 step 4). */
    private Decision refuse(ClientView c, CommandLine cmd, Reply reply, Duration delay) {
        mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": " + Replies.shorten(cmd.line()) + " [rejected]");
        event(c, cmd, "refused", reply);
        return new Decision(reply, delay, false);
    }

    private Decision lookup(ClientView c, CommandLine cmd, Duration delay, PrivacyOptions.Flag needHelo, boolean expand) {
        if (privacy.has(needHelo) && !c.heloSeen()) {
            event(c, cmd, "needs-helo", Replies.INTRODUCE_YOURSELF);
            return new Decision(Replies.INTRODUCE_YOURSELF, delay, false);
        }
        mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": " + Replies.shorten(cmd.line()));
        if (!cmd.hasArgument()) {
            event(c, cmd, "argument-required", Replies.ARGUMENT_REQUIRED);
            return new Decision(Replies.ARGUMENT_REQUIRED, delay, false);
        }
        Reply reply;
        String decision;
        try {
            reply = expand ? verifier.expn(cmd.argument()) : verifier.vrfy(cmd.argument());
            decision = "answered";
        } catch (DirectoryUnavailableException e) {
            log.warn("{}: directory unavailable: {}", cmd.verb(), e.getMessage());
            reply = Replies.lookupFailed(cmd.argument().strip());
            decision = "lookup-failed";
        }
        event(c, cmd, decision, reply);
        return new Decision(reply, delay, false);
    }

    /** MAIL before HELO under needmailhelo; null when MAIL may proceed. */
    public Decision mailBeforeHelo(ClientView c) {
        if (privacy.has(PrivacyOptions.Flag.NEEDMAILHELO) && !c.heloSeen()) {
            return Decision.of(Replies.POLITE_PEOPLE);
        }
        return null;
    }

    /**
     * VERB: refused when EXPN or VERB is not offered. Verbose mode is otherwise accepted as sendmail
     * accepts it, but Tacit never sends the 050 notices: they reveal alias expansions and home
     * directories (sendmail-privacy.md 6.2).
     */
    public Decision verb(ClientView c, CommandLine cmd, java.util.function.IntSupplier noopCounter) {
        if (!privacy.verbOffered()) {
            event(c, cmd, "refused", Replies.VERBOSE_UNAVAILABLE);
            return Decision.of(Replies.VERBOSE_UNAVAILABLE);
        }
        Duration d = noopDelay(c, "VERB", noopCounter.getAsInt());
        event(c, cmd, "answered", Replies.VERBOSE);
        return new Decision(Replies.VERBOSE, d, false);
    }

    public Decision etrn(ClientView c, CommandLine cmd, java.util.function.IntSupplier etrnCounter) {
        if (privacy.has(PrivacyOptions.Flag.NOETRN)) {
            mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": " + Replies.shorten(cmd.line()) + " [rejected]");
            event(c, cmd, "refused", Replies.NOT_ALLOWED);
            return Decision.of(Replies.NOT_ALLOWED);
        }
        if (!cmd.hasArgument()) {
            return Decision.of(Replies.PARAMETER_REQUIRED);
        }
        Duration d = attackDelay(c, "ETRN", etrnCounter.getAsInt(), MAX_ETRN);
        String arg = cmd.argument().strip();
        mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": ETRN " + Replies.shorten(arg));
        Reply r = arg.startsWith("#") ? Replies.queueUnknown(arg.substring(1)) : Replies.etrnStarted(arg);
        event(c, cmd, "answered", r);
        return new Decision(r, d, false);
    }

    /** DEBUG, SHOWQ, WIZ, ...: logged at crit from LogLevel 1; the reply is the unknown-command one. */
    public void probe(ClientView c, CommandLine cmd, Reply reply) {
        mailLog.log(0, MailLog.Priority.CRIT, c.sessionId(), "\"" + cmd.verb().toLowerCase(java.util.Locale.ROOT) + "\" command from "
                + c.clientName() + " (" + c.address().getHostAddress() + ")");
        event(c, cmd, "probe", reply);
    }

    private void event(ClientView c, CommandLine cmd, String decision, Reply reply) {
        events.emit(new ProbeEvent(Instant.now(), c.address().getHostAddress(), c.clientName(), c.heloName(), cmd.verb(),
                cmd.argument(), decision, reply.code()));
    }

    /**
     * RCPT for an address already parsed: relaying is refused for every non-local domain (Tacit is
     * never an open relay); a local name is accepted when it is a user or an alias.
     *
     * @param echo the path as the client wrote it, angle brackets included (sendmail's reply prefix)
     */
    public RcptDecision rcpt(ClientView c, String echo, MailAddress address) {
        if (address.hasDomain() && !verifier.expander().domains().isLocal(address.domain())) {
            return RcptDecision.refuse(Decision.of(Replies.relayingDenied(echo)));
        }
        try {
            Resolution r = verifier.expander().resolve(address.localPart());
            if (!r.exists()) {
                return RcptDecision.refuse(Decision.of(Replies.userUnknown(echo)));
            }
            Expansion x = verifier.expander().expand(address.localPart());
            for (Expansion.Problem p : x.problems()) {
                log.warn("RCPT {}: expansion problem: {}", echo, p);
            }
            List<Target> targets = x.targets();
            if (targets.isEmpty()) {
                return RcptDecision.refuse(Decision.of(Replies.userUnknown(echo)));
            }
            return new RcptDecision(Decision.of(Replies.recipientOk(echo)), true, targets);
        } catch (DirectoryUnavailableException e) {
            log.warn("RCPT {}: directory unavailable: {}", echo, e.getMessage());
            return RcptDecision.refuse(Decision.of(Replies.lookupFailed(echo)));
        }
    }
}
