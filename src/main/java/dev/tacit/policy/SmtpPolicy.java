package dev.tacit.policy;

import dev.tacit.config.TacitConfig;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.Expander;
import dev.tacit.directory.Target;
import dev.tacit.rules.CheckResult;
import dev.tacit.rules.PolicyCheck;
import dev.tacit.rules.RewriteEnvironment;
import dev.tacit.rules.RuleSets;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.MailAddress;
import dev.tacit.events.MailLog;
import dev.tacit.events.Metrics;
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
    private final String host;
    private final TacitConfig.Defense defense;
    private final EnumerationGuard guard;
    private final Metrics metrics;
    private final PolicyCheck rules;

    public SmtpPolicy(TacitConfig cfg, SendmailVerifier verifier, MailLog mailLog, ProbeEvents events, EnumerationGuard guard,
            Metrics metrics) {
        this.privacy = cfg.privacy();
        this.verifier = verifier;
        this.mailLog = mailLog;
        this.events = events;
        this.maxNoop = cfg.limits().maxNoopCommands();
        this.host = cfg.hostname();
        this.defense = cfg.defense();
        this.guard = guard;
        this.metrics = metrics;
        RuleSets sets = cfg.rules().sets();
        this.rules = sets == null ? null : new PolicyCheck(sets, RewriteEnvironment.of(sets));
    }

    // ------------------------------------------------------------------ trust, guard, envelope

    /** Trusted: authenticated, or from a network in trusted_networks. Nothing else (not even loopback). */
    public boolean trusted(ClientView c) {
        return c.authenticated() || defense.trusted().contains(c.address());
    }

    /** Whether this client gets uniform answers and the latency envelope. */
    public boolean uniform(ClientView c) {
        return defense.enabled() && !trusted(c);
    }

    private boolean guarded(ClientView c) {
        return guard.enabled() && !trusted(c);
    }

    /** At connect: a blocked source is told 421 before the greeting; null lets the session go on. */
    public Decision connect(ClientView c) {
        if (!guarded(c)) {
            return null;
        }
        reassess(c);
        if (c.source().level() == EnumerationGuard.Level.BLOCK) {
            return Decision.closing(Replies.guardBlocked(host));
        }
        return null;
    }

    /** After HELO/EHLO or MAIL: the new name is a new key to look at. */
    public void reassess(ClientView c) {
        if (!guarded(c)) {
            return;
        }
        List<String> keys = EnumerationGuard.keys(c.address(), c.heloName(), c.sender());
        c.source().keys(keys);
        EnumerationGuard.Level l = guard.assess(keys);
        if (l.compareTo(c.source().level()) > 0) {
            c.source().level(l);
        }
    }

    /** The delay every reply to this source gets (tarpit), applied to the client as a whole. */
    public Duration tarpit(ClientView c) {
        return c.source().level().compareTo(EnumerationGuard.Level.TARPIT) >= 0 ? guard.config().tarpitDelay() : Duration.ZERO;
    }

    /**
     * A refused or blocked source's answer to a command that could probe (RCPT, VRFY, EXPN); null if
     * none. A refused attempt still counts, so a prober that keeps trying ends up blocked.
     */
    public Decision guardGate(ClientView c, String kind, String name) {
        if (c.source().level() == EnumerationGuard.Level.REFUSE) {
            note(c, kind, name);
        }
        return switch (c.source().level()) {
            case BLOCK -> Decision.closing(Replies.guardBlocked(host));
            case REFUSE -> Decision.of(Replies.guardRefused(host));
            default -> null;
        };
    }

    private void note(ClientView c, String kind, String name) {
        if (!guarded(c)) {
            return;
        }
        if (c.source().keys().isEmpty()) {
            c.source().keys(EnumerationGuard.keys(c.address(), c.heloName(), c.sender()));
        }
        c.source().level(guard.note(c.source().keys(), c.address(), kind, name, c.source().level()));
    }

    /** Time left in this command's latency envelope, plus jitter; zero for trusted clients. */
    private Duration envelope(ClientView c) {
        if (!uniform(c)) {
            return Duration.ZERO;
        }
        long jitter = defense.jitter().isZero() ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(defense.jitter().toNanos() + 1);
        long now = System.nanoTime();
        if (now - c.commandStartNanos() > defense.latency().toNanos()) {
            metrics.envelopeOverrun();
        }
        long left = c.commandStartNanos() + defense.latency().toNanos() + jitter - now;
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** The envelope and the tarpit, on top of what the command already had to wait. */
    private Decision shaped(ClientView c, Reply reply, Duration delay, boolean close) {
        Duration d = delay.plus(tarpit(c));
        Duration env = envelope(c);
        return new Decision(reply, d.compareTo(env) >= 0 ? d : env, close);
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
        Decision gate = guardGate(c, "vrfy", cmd.argument().strip());
        if (gate != null) {
            return gate;
        }
        Duration delay = attackDelay(c, "VRFY", count, MAX_VRFY);
        metrics.probe("vrfy");
        note(c, "vrfy", cmd.argument().strip());
        if (c.source().level() == EnumerationGuard.Level.BLOCK) {
            return Decision.closing(Replies.guardBlocked(host));
        }
        if (privacy.has(PrivacyOptions.Flag.NOVRFY)) {
            return refuse(c, cmd, Replies.CANNOT_VRFY, delay);
        }
        return lookup(c, cmd, delay, PrivacyOptions.Flag.NEEDVRFYHELO, false);
    }

    public Decision expn(ClientView c, CommandLine cmd, int count) {
        Decision gate = guardGate(c, "expn", cmd.argument().strip());
        if (gate != null) {
            return gate;
        }
        Duration delay = attackDelay(c, "EXPN", count, MAX_VRFY);
        metrics.probe("expn");
        note(c, "expn", cmd.argument().strip());
        if (c.source().level() == EnumerationGuard.Level.BLOCK) {
            return Decision.closing(Replies.guardBlocked(host));
        }
        if (!privacy.expnOffered()) {
            return refuse(c, cmd, Replies.NOT_ALLOWED, delay);
        }
        return lookup(c, cmd, delay, PrivacyOptions.Flag.NEEDEXPNHELO, true);
    }

    /** A privacy flag refuses the command before the directory is asked (sendmail 6.1 step 4). */
    private Decision refuse(ClientView c, CommandLine cmd, Reply reply, Duration delay) {
        mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": " + Replies.shorten(cmd.line()) + " [rejected]");
        event(c, cmd, "refused", reply);
        return shaped(c, reply, delay, false);
    }

    private Decision lookup(ClientView c, CommandLine cmd, Duration delay, PrivacyOptions.Flag needHelo, boolean expand) {
        if (privacy.has(needHelo) && !c.heloSeen()) {
            event(c, cmd, "needs-helo", Replies.INTRODUCE_YOURSELF);
            return shaped(c, Replies.INTRODUCE_YOURSELF, delay, false);
        }
        mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": " + Replies.shorten(cmd.line()));
        if (!cmd.hasArgument()) {
            event(c, cmd, "argument-required", Replies.ARGUMENT_REQUIRED);
            return shaped(c, Replies.ARGUMENT_REQUIRED, delay, false);
        }
        String set = expand ? "check_expn" : "check_vrfy";
        if (rules != null && rules.isDefined(set)) {
            // sendmail runs the rule set on the raw argument; Tacit fails closed where sendmail's
            // tokenizer would let a long list through unchecked (sendmail-privacy.md 7.3)
            CheckResult r = rules.checkFailClosed(set, cmd.argument().stripLeading());
            PolicyCheck.logEntry(set, c.clientName(), r).ifPresent(e -> mailLog.log(e.minLevel(),
                    e.priority().equals("crit") ? MailLog.Priority.CRIT : MailLog.Priority.NOTICE, e.queueId() ? c.sessionId() : null, e.text()));
            if (r instanceof CheckResult.Reject rej) {
                event(c, cmd, "rejected-by-ruleset", rej.reply());
                return shaped(c, rej.reply(), delay, false);
            }
            if (r instanceof CheckResult.Discard) {
                c.source().markDiscard();
            }
        }
        if (uniform(c)) {
            // What would be left to the directory is answered the same for everyone, without asking it.
            Reply uniformReply = expand ? Replies.NOT_ALLOWED : Replies.CANNOT_VRFY;
            event(c, cmd, "uniform", uniformReply);
            return shaped(c, uniformReply, delay, false);
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
        return shaped(c, reply, delay, false);
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
        metrics.probe(cmd.verb().toLowerCase(java.util.Locale.ROOT));
        note(c, "probe", cmd.line());
        mailLog.log(0, MailLog.Priority.CRIT, c.sessionId(), "\"" + cmd.verb().toLowerCase(java.util.Locale.ROOT) + "\" command from "
                + c.clientName() + " (" + c.address().getHostAddress() + ")");
        event(c, cmd, "probe", reply);
    }

    private void event(ClientView c, CommandLine cmd, String decision, Reply reply) {
        events.emit(new ProbeEvent(Instant.now(), c.address().getHostAddress(), c.clientName(), c.heloName(), cmd.verb(),
                cmd.argument(), decision, reply.code()));
    }

    /**
     * RCPT as the session asks it: the guard's gate, sendmail's verdict ({@link #rcpt}), then for an
     * untrusted client under enumeration_defense the uniform answer (an unknown local name is accepted
     * like a real one and its fate moves to the end of DATA), BadRcptThrottle, the tarpit and the
     * latency envelope.
     *
     * @param unknownSoFar recipients of this transaction already found unknown (BadRcptThrottle)
     */
    public RcptOutcome recipient(ClientView c, String echo, MailAddress address, int unknownSoFar) {
        Decision gate = guardGate(c, "rcpt", address.localPart());
        if (gate != null) {
            return new RcptOutcome(shaped(c, gate.reply(), Duration.ZERO, gate.close()), false, false, List.of());
        }
        Duration delay = Duration.ZERO;
        int throttle = guard.config().badRcptThrottle();
        if (throttle > 0 && unknownSoFar >= throttle && !trusted(c)) {
            if (!c.source().floodLogged()) {
                c.source().markFloodLogged();
                mailLog.log(5, MailLog.Priority.INFO, c.sessionId(), c.clientName() + ": Possible SMTP RCPT flood, throttling.");
            }
            delay = guard.config().badRcptDelay();
        }
        RcptDecision verdict = rcpt(c, echo, address);
        Reply r = verdict.decision().reply();
        boolean unknownUser = !verdict.accepted() && r.code() == 550 && "5.1.1".equals(r.enhanced());
        if (unknownUser) {
            metrics.probe("unknown_rcpt");
            note(c, "rcpt", address.localPart());
            if (c.source().level() == EnumerationGuard.Level.BLOCK) {
                return new RcptOutcome(Decision.closing(Replies.guardBlocked(host)), false, false, List.of());
            }
        }
        if (unknownUser && uniform(c)) {
            return new RcptOutcome(shaped(c, Replies.recipientOk(echo), delay, false), true, false, List.of());
        }
        Decision d = verdict.decision();
        return new RcptOutcome(shaped(c, d.reply(), delay.plus(d.delay()), d.close()), verdict.accepted(), verdict.accepted(),
                verdict.targets());
    }

    /**
     * Where an accepted local recipient's mail goes: the alias expansion, duplicates removed. Problems
     * met on the way (unknown targets, loops) are logged; they do not stop the other targets.
     */
    public List<Target> deliveryTargets(String queueId, MailAddress address) throws DirectoryUnavailableException {
        Expansion x = verifier.expander().run("<" + address + ">", address, Expander.Mode.DELIVER);
        for (Expansion.Problem p : x.problems()) {
            mailLog.log(3, MailLog.Priority.NOTICE, queueId, "<" + address + ">: " + SendmailVerifier.error(p).text());
        }
        return x.targets();
    }

    /** A recipient already accepted in this transaction: sendmail's answer with the first spelling, shaped like any RCPT. */
    public Decision duplicate(ClientView c, String firstSpelling) {
        return shaped(c, Replies.recipientOk(firstSpelling), Duration.ZERO, false);
    }

    /**
     * RCPT for an address already parsed: relaying is refused for every non-local domain (Tacit is
     * never an open relay); a local name is accepted when it is a user or an alias, exactly as
     * sendmail verifies it (an alias is not expanded for the answer, so a list with a bad member is
     * still accepted, sendmail-privacy.md 8). Its delivery targets come later, from
     * {@link #deliveryTargets}.
     *
     * @param echo the path as the client wrote it, angle brackets included (sendmail's reply prefix)
     */
    public RcptDecision rcpt(ClientView c, String echo, MailAddress address) {
        if (address.hasDomain() && !verifier.expander().domains().isLocal(address.domain())) {
            return RcptDecision.refuse(Decision.of(Replies.relayingDenied(echo)));
        }
        try {
            // Existence only, verified as sendmail verifies (an alias is not expanded), so the answer
            // fits the latency envelope; the expansion into delivery targets happens after DATA.
            Reply refused = verifier.rcptRefusal(echo, address);
            if (refused != null) {
                return RcptDecision.refuse(Decision.of(refused));
            }
            return new RcptDecision(Decision.of(Replies.recipientOk(echo)), true, List.of());
        } catch (DirectoryUnavailableException e) {
            log.warn("RCPT {}: directory unavailable: {}", echo, e.getMessage());
            return RcptDecision.refuse(Decision.of(Replies.lookupFailed(echo)));
        }
    }
}
