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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>Enumeration defence (untrusted clients): VRFY/EXPN get the uniform answer after the latency
 * envelope; RCPT to a local name gets {@code 250} at once while its lookup runs on the session's lane
 * and is joined after DATA ({@link #recipient}). The lookup notes unknown names with the guard from
 * its own thread; {@link SourceState} keeps that safe.
 *
 * <p>AUTH's verdict is decided here too ({@link #authenticate}): one answer for every failure, the
 * same time for unknown users and wrong passwords, failures counted by the guard.
 *
 * <p>Config keys: privacy_options, enumeration_defense, trusted_networks, enumeration.latency,
 * enumeration.jitter, enumeration.unknown_recipients, guard.bad_rcpt_throttle, guard.bad_rcpt_delay,
 * limits.max_noop_commands, auth.latency.
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
    private final Spf spf;
    private final PasswordCheck passwords;
    private final Duration authLatency;
    /** Keys the guard's note of a failed password, so a retried wrong password counts once. */
    private final javax.crypto.spec.SecretKeySpec attemptKey;

    public SmtpPolicy(TacitConfig cfg, SendmailVerifier verifier, MailLog mailLog, ProbeEvents events, EnumerationGuard guard,
            Metrics metrics, PasswordCheck passwords, Spf spf) {
        this.passwords = passwords;
        this.spf = spf;
        this.authLatency = cfg.auth().latency();
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        this.attemptKey = new javax.crypto.spec.SecretKeySpec(k, "HmacSHA256");
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

    /** The delay every reply to this source gets (tarpit), applied to the client as a whole; none once trusted. */
    public Duration tarpit(ClientView c) {
        if (trusted(c)) {
            return Duration.ZERO;
        }
        return c.source().level().compareTo(EnumerationGuard.Level.TARPIT) >= 0 ? guard.config().tarpitDelay() : Duration.ZERO;
    }

    /**
     * A refused or blocked source's answer to a command that could probe (RCPT, VRFY, EXPN); null if
     * none. A refused attempt still counts, so a prober that keeps trying ends up blocked.
     */
    public Decision guardGate(ClientView c, String kind, String name) {
        if (trusted(c)) {
            return null; // an authenticated client is not held to what its address did before
        }
        if (c.source().level() == EnumerationGuard.Level.REFUSE) {
            note(c, kind, name);
        }
        return switch (c.source().level()) {
            case BLOCK -> Decision.closing(Replies.guardBlocked(host));
            case REFUSE -> Decision.of(Replies.guardRefused(host));
            default -> null;
        };
    }

    /**
     * A blocked source's answer to whatever command it sends next: a lookup that ran after an earlier
     * reply may have blocked it meanwhile. Null when the session may go on.
     */
    public Decision blocked(ClientView c) {
        if (c.source().level() == EnumerationGuard.Level.BLOCK && guarded(c)) { // the cheap test first: this runs per command
            return Decision.closing(Replies.guardBlocked(host));
        }
        return null;
    }

    private void note(ClientView c, String kind, String name) {
        if (!guarded(c)) {
            return;
        }
        note(c.source(), sourceKeys(c), c.address(), kind, name);
    }

    /** The session's source keys, worked out now if HELO/MAIL has not done it yet. */
    private List<String> sourceKeys(ClientView c) {
        if (c.source().keys().isEmpty()) {
            c.source().keys(EnumerationGuard.keys(c.address(), c.heloName(), c.sender()));
        }
        return c.source().keys();
    }

    /** Notes a name for a source; safe from any thread (the source's level only rises, under its lock). */
    private void note(SourceState source, List<String> keys, java.net.InetAddress ip, String kind, String name) {
        source.raise(current -> guard.note(keys, ip, kind, name, current));
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

    /** The tarpit on top of what the command already had to wait, without the envelope: nothing here waited for a lookup. */
    private Decision immediate(ClientView c, Reply reply, Duration delay, boolean close) {
        return new Decision(reply, delay.plus(tarpit(c)), close);
    }

    public PrivacyOptions privacy() {
        return privacy;
    }

    /** DSN (RFC 3461) is offered unless PrivacyOptions has noreceipts, as sendmail does. */
    public boolean dsnOffered() {
        return !privacy.has(PrivacyOptions.Flag.NORECEIPTS);
    }

    /** ESMTP keywords after the greeting line, in sendmail's order (sendmail-privacy.md 4). */
    public List<String> ehloKeywords(long maxSize) {
        return ehloKeywords(maxSize, false, List.of());
    }

    /**
     * As above, with STARTTLS (RFC 3207: a certificate is configured and TLS is not up yet) and AUTH
     * with its mechanisms (RFC 4954: only over TLS) where sendmail lists them. Everything else is the
     * same before and after TLS.
     */
    public List<String> ehloKeywords(long maxSize, boolean startTls, List<String> authMechanisms) {
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
        if (dsnOffered()) {
            k.add("DSN");
        }
        if (!privacy.has(PrivacyOptions.Flag.NOETRN)) {
            k.add("ETRN");
        }
        if (!authMechanisms.isEmpty()) {
            k.add("AUTH " + String.join(" ", authMechanisms));
        }
        if (startTls) {
            k.add("STARTTLS");
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
     * RCPT as the session asks it: the guard's gate, BadRcptThrottle, then sendmail's verdict
     * ({@link #rcpt}) with the tarpit.
     *
     * <p>For an untrusted client under enumeration_defense the answer to a local name is the same
     * whether it exists or not, so it does not wait for the directory: everything that does not depend
     * on existence (relaying, relay syntax, a program or file named directly, syntax) is decided here,
     * and a local name is answered {@code 250 Recipient ok} at once while its lookup runs on
     * {@code lookups}; the outcome carries the lookup, joined at the end of DATA. The lookup notes an
     * unknown name with the guard from its own thread, so an escalation applies from the session's next
     * command on. No RCPT reply waits for the latency envelope: none of them depends on a lookup.
     * Only when {@code lookups} refuses the task (the session's bound of outstanding lookups is
     * reached) does the lookup run here, and that answer leaves after the envelope like VRFY's.
     *
     * <p>Everyone else (trusted clients, enumeration_defense off) gets sendmail's answer from the
     * directory, synchronously, as before.
     *
     * @param unknownSoFar recipients of this transaction known to be unknown so far (BadRcptThrottle)
     * @param lookups where this session's directory lookups run; bounded per session, it throws
     *     {@link RejectedExecutionException} when full
     */
    public RcptOutcome recipient(ClientView c, String echo, MailAddress address, int unknownSoFar, Executor lookups) {
        Decision gate = guardGate(c, "rcpt", address.localPart());
        if (gate != null) {
            return new RcptOutcome(immediate(c, gate.reply(), Duration.ZERO, gate.close()), false, false, List.of());
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
        if (uniform(c)) {
            RcptDecision decided = withoutLookup(c, echo, address);
            if (decided != null) {
                Decision d = decided.decision();
                return new RcptOutcome(immediate(c, d.reply(), delay, d.close()), decided.accepted(), decided.accepted(), decided.targets());
            }
            CompletableFuture<RcptCheck> check = new CompletableFuture<>();
            // what the lookup needs from the session, taken now: the session moves on (or ends) meanwhile
            boolean guarded = guarded(c);
            SourceState source = c.source();
            List<String> keys = guarded ? sourceKeys(c) : List.of();
            java.net.InetAddress ip = c.address();
            String sessionId = c.sessionId();
            try {
                lookups.execute(() -> check.complete(verifyLater(guarded, source, keys, ip, sessionId, echo, address)));
                return RcptOutcome.pending(immediate(c, Replies.recipientOk(echo), delay, false), check);
            } catch (RejectedExecutionException full) {
                // the session already has max_recipients lookups outstanding: this one runs here, and
                // the same answer leaves inside the latency envelope, as before lookups were deferred
                check.complete(verifyLater(guarded, source, keys, ip, sessionId, echo, address));
                return RcptOutcome.pending(shaped(c, Replies.recipientOk(echo), delay, false), check);
            }
        }
        RcptDecision verdict = rcpt(c, echo, address);
        Reply r = verdict.decision().reply();
        boolean unknownUser = !verdict.accepted() && RcptCheck.isUnknownUser(r);
        if (unknownUser) {
            metrics.probe("unknown_rcpt");
            note(c, "rcpt", address.localPart());
            if (c.source().level() == EnumerationGuard.Level.BLOCK) {
                return new RcptOutcome(Decision.closing(Replies.guardBlocked(host)), false, false, List.of());
            }
        }
        Decision d = verdict.decision();
        return new RcptOutcome(shaped(c, d.reply(), delay.plus(d.delay()), d.close()), verdict.accepted(), verdict.accepted(),
                verdict.targets());
    }

    /** Whether a domain is delivered here (class w). */
    public boolean isLocalDomain(String domain) {
        return verifier.expander().domains().isLocal(domain);
    }

    /** A delivery target and the list owner its errors go to ({@code owner-NAME@host}, or null: the sender). */
    public record Planned(Target target, String owner) {}

    /** A list member that cannot be delivered to: sendmail's error for it, and who hears about it. */
    public record Undeliverable(String typed, Reply error, String owner) {}

    public record DeliveryPlan(List<Planned> targets, List<Undeliverable> undeliverable) {}

    /**
     * Where an accepted local recipient's mail goes, with sendmail's owner- rule: when a list NAME has
     * an alias (or user) {@code owner-NAME}, errors for the list's members go there instead of to the
     * envelope sender, and the members get the message with that envelope sender. Problems met on the
     * way (unknown members, loops) are logged and returned for a delivery report; they do not stop
     * the other targets.
     */
    public DeliveryPlan deliveryPlan(String queueId, MailAddress address) throws DirectoryUnavailableException {
        Expansion x = verifier.expander().run("<" + address + ">", address, Expander.Mode.DELIVER);
        for (Expansion.Problem p : x.problems()) {
            mailLog.log(3, MailLog.Priority.NOTICE, queueId, "<" + address + ">: " + SendmailVerifier.error(p).text());
        }
        java.util.Map<String, String> ownerOf = new java.util.HashMap<>();
        java.util.Map<String, String> ownerByTarget = new java.util.HashMap<>();
        List<Undeliverable> bad = new ArrayList<>();
        java.util.Set<Expansion.Problem> placed = new java.util.HashSet<>();
        for (Expansion.Node root : x.tree()) {
            walk(root, null, ownerOf, ownerByTarget, bad, placed);
        }
        for (Expansion.Problem p : x.problems()) {
            if (!placed.contains(p)) {
                bad.add(new Undeliverable(p.typed(), SendmailVerifier.error(p), null));
            }
        }
        List<Planned> targets = new ArrayList<>();
        for (Target t : x.targets()) {
            targets.add(new Planned(t, ownerByTarget.get(targetKey(t))));
        }
        return new DeliveryPlan(targets, bad);
    }

    private void walk(Expansion.Node n, String owner, java.util.Map<String, String> ownerOf, java.util.Map<String, String> ownerByTarget,
            List<Undeliverable> bad, java.util.Set<Expansion.Problem> placed) throws DirectoryUnavailableException {
        if (n.state() == Expansion.State.BAD && n.problem() != null) {
            bad.add(new Undeliverable(n.problem().typed(), SendmailVerifier.error(n.problem()), owner));
            placed.add(n.problem());
        }
        if (n.state() == Expansion.State.LIVE) {
            ownerByTarget.putIfAbsent(nodeKey(n.address()), owner);
        }
        String inner = owner;
        if (!n.children().isEmpty() && n.address() instanceof dev.tacit.directory.AddressParser.Local l) {
            String name = l.user();
            String o = ownerOf.get(name);
            if (o == null) {
                Expansion ox = verifier.expander().run("owner-" + name, Expander.Mode.VERIFY);
                o = ox.ok() && !ox.entries().isEmpty() ? "owner-" + name + "@" + host : "";
                ownerOf.put(name, o);
            }
            if (!o.isEmpty()) {
                inner = o;
            }
        }
        for (Expansion.Node c : n.children()) {
            walk(c, inner, ownerOf, ownerByTarget, bad, placed);
        }
    }

    private static String nodeKey(dev.tacit.directory.AddressParser.Parsed p) {
        return switch (p) {
            case dev.tacit.directory.AddressParser.Local l -> "l:" + l.login().toLowerCase(java.util.Locale.ROOT);
            case dev.tacit.directory.AddressParser.Remote r -> "r:" + r.address().toLowerCase(java.util.Locale.ROOT);
            default -> "x:" + p.typed();
        };
    }

    private static String targetKey(Target t) {
        return switch (t) {
            case Target.Local l -> "l:" + l.user().login().toLowerCase(java.util.Locale.ROOT);
            case Target.Remote r -> "r:" + r.address().toLowerCase(java.util.Locale.ROOT);
            default -> "x:";
        };
    }

    /** A local part that routes elsewhere in sendmail's syntax: the %-hack, a UUCP path, a quoted address. */
    static boolean relaySyntax(String localPart) {
        return localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0 || localPart.indexOf('@') >= 0;
    }

    // ------------------------------------------------------------------ AUTH

    /**
     * The verdict on AUTH credentials (RFC 4954 6). Success: 235 and the login, and the client is
     * trusted from now on. Every failure (unknown user, wrong password, a user without a password, a
     * login that names nothing here) is the same {@code 535 5.7.8}, sent {@code auth.latency} (plus
     * jitter) after the credentials arrived, so neither text nor timing separates them. Failures are
     * noted by the guard like unknown names: distinct (login, password) pairs count, so a client
     * retrying one stale password is not escalated while a guesser is tarpitted, refused, blocked.
     * A directory that cannot answer is 454 4.7.0, not a failure.
     */
    public AuthOutcome authenticate(ClientView c, String mechanism, String authzid, String authcid, byte[] password) {
        String name = (authcid == null ? "" : authcid.strip().toLowerCase(java.util.Locale.ROOT)) + ":" + attemptDigest(password);
        Decision gate = guardGate(c, "auth", name);
        if (gate != null) {
            return new AuthOutcome(authShaped(c, gate.reply(), gate.close()), null);
        }
        PasswordCheck.Result r = passwords.check(authzid, authcid, password);
        switch (r.status()) {
            case OK -> {
                mailLog.log(8, MailLog.Priority.INFO, c.sessionId(), "AUTH=server, relay=" + c.clientName() + ", authid=" + r.login()
                        + ", mech=" + mechanism + ", bits=0");
                return new AuthOutcome(Decision.of(Replies.AUTH_OK), r.login());
            }
            case UNAVAILABLE -> {
                mailLog.log(3, MailLog.Priority.WARNING, c.sessionId(), "AUTH failure (" + mechanism
                        + "): directory unavailable or busy, relay=" + c.clientName());
                return new AuthOutcome(authShaped(c, Replies.AUTH_TEMPORARY, false), null);
            }
            default -> {
                metrics.probe("auth_failed");
                // the login tried is not logged: users type passwords into that field too
                mailLog.log(5, MailLog.Priority.NOTICE, c.sessionId(), "AUTH failure (" + mechanism + "): authentication failed, relay="
                        + c.clientName());
                note(c, "auth", name);
                if (c.source().level() == EnumerationGuard.Level.BLOCK && guarded(c)) {
                    return new AuthOutcome(Decision.closing(Replies.guardBlocked(host)), null);
                }
                return new AuthOutcome(authShaped(c, Replies.AUTH_FAILED, false), null);
            }
        }
    }

    /** AUTH's envelope: the answer leaves auth.latency (plus jitter) after the credentials arrived. */
    private Decision authShaped(ClientView c, Reply reply, boolean close) {
        long jitter = defense.jitter().isZero() ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(defense.jitter().toNanos() + 1);
        long left = c.commandStartNanos() + authLatency.toNanos() + jitter - System.nanoTime();
        return new Decision(reply, left > 0 ? Duration.ofNanos(left) : Duration.ZERO, close);
    }

    /** A short keyed digest of a tried password: what the guard tells attempts apart by, never the password. */
    private String attemptDigest(byte[] password) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(attemptKey);
            return java.util.HexFormat.of().formatHex(mac.doFinal(password), 0, 8);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Under enumeration_defense, a message with real recipients may also have carried unknown ones that
     * were answered like real ones. With enumeration.unknown_recipients = "bounce" the sender hears about
     * them, but only when SPF says the client may send for the sender's domain: a report to a forged
     * sender would be backscatter. "drop" (the default), a null sender or any SPF result but pass: no
     * report; the log says which.
     */
    public boolean reportUnknownTo(ClientView c, String queueId, String sender) {
        if (!"bounce".equals(defense.unknownRecipients()) || sender == null || sender.isEmpty()) {
            return false;
        }
        int at = sender.lastIndexOf('@');
        if (at < 0 || at == sender.length() - 1) {
            return false;
        }
        Spf.Result r = spf.check(c.address(), sender.substring(at + 1));
        mailLog.log(3, MailLog.Priority.NOTICE, queueId, "unknown recipients: SPF " + r.name().toLowerCase(java.util.Locale.ROOT) + " for "
                + sender.substring(at + 1) + " from " + c.address().getHostAddress() + (r == Spf.Result.PASS ? ", reported to <" + sender
                + ">" : ", not reported (no backscatter)"));
        return r == Spf.Result.PASS;
    }

    /** A recipient already accepted in this transaction: sendmail's answer with the first spelling, timed like any RCPT. */
    public Decision duplicate(ClientView c, String firstSpelling) {
        return immediate(c, Replies.recipientOk(firstSpelling), Duration.ZERO, false);
    }

    /**
     * The existence lookup of a recipient already answered, on a lookup thread. An unknown name is
     * counted, noted with the guard and logged as sendmail logs it; a directory that cannot answer (or
     * anything else going wrong) is FAILED, a temporary failure for the message, never "unknown".
     */
    private RcptCheck verifyLater(boolean guarded, SourceState source, List<String> keys, java.net.InetAddress ip, String sessionId,
            String echo, MailAddress address) {
        try {
            Reply refused = verifier.rcptRefusal(echo, address);
            if (refused == null) {
                return RcptCheck.KNOWN;
            }
            RcptCheck check = RcptCheck.refused(refused);
            if (check.unknownUser()) {
                metrics.probe("unknown_rcpt");
                if (guarded) {
                    note(source, keys, ip, "rcpt", address.localPart());
                }
            }
            // the client was told otherwise; the log still tells the admin, as sendmail's does
            mailLog.log(3, MailLog.Priority.NOTICE, sessionId, check.unknownUser() ? echo + "... User unknown" : refused.text());
            return check;
        } catch (DirectoryUnavailableException e) {
            log.warn("RCPT {}: directory unavailable: {}", echo, e.getMessage());
            return RcptCheck.FAILED;
        } catch (RuntimeException e) {
            log.error("RCPT {}: lookup failed", echo, e);
            return RcptCheck.FAILED;
        }
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
        RcptDecision decided = withoutLookup(c, echo, address);
        if (decided != null) {
            return decided;
        }
        try {
            // Existence only, verified as sendmail verifies (an alias is not expanded); the expansion
            // into delivery targets happens after DATA.
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

    /**
     * What RCPT decides from the address alone: relaying (refused unless authenticated), relay syntax,
     * and for a local address whatever is not a plain name (a program, file or include named directly,
     * a syntax error). Null when the answer depends on the directory.
     */
    private RcptDecision withoutLookup(ClientView c, String echo, MailAddress address) {
        if (address.hasDomain() && !verifier.expander().domains().isLocal(address.domain())) {
            if (c.authenticated()) {
                // RFC 6409 / RFC 4954: an authenticated client may send anywhere; delivery takes it from here
                return new RcptDecision(Decision.of(Replies.recipientOk(echo)), true, List.of(new Target.Remote(address.toString())));
            }
            return RcptDecision.refuse(Decision.of(Replies.relayingDenied(echo)));
        }
        if (relaySyntax(address.localPart())) {
            // user%host@here, host!user@here, "user@host"@here: sendmail's operators in a local part mean
            // "send it on"; Tacit never does, and must not say "Recipient ok" to them either (nmap's
            // smtp-open-relay counts that as relaying), whoever asks.
            return RcptDecision.refuse(Decision.of(Replies.relayingDenied(echo)));
        }
        if (verifier.rcptNeedsLookup(echo, address)) {
            return null;
        }
        try {
            // no directory is asked for these: the refusal comes from the address itself
            Reply refused = verifier.rcptRefusal(echo, address);
            return refused != null ? RcptDecision.refuse(Decision.of(refused))
                    : new RcptDecision(Decision.of(Replies.recipientOk(echo)), true, List.of());
        } catch (DirectoryUnavailableException e) {
            log.warn("RCPT {}: directory unavailable: {}", echo, e.getMessage());
            return RcptDecision.refuse(Decision.of(Replies.lookupFailed(echo)));
        }
    }
}
