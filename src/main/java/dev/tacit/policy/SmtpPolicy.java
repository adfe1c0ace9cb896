package dev.tacit.policy;

import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.Expander;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
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

    private final PrivacyOptions privacy;
    private final SendmailVerifier verifier;

    public SmtpPolicy(PrivacyOptions privacy, SendmailVerifier verifier) {
        this.privacy = privacy;
        this.verifier = verifier;
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

    public Decision vrfy(ClientView c, CommandLine cmd) {
        if (privacy.has(PrivacyOptions.Flag.NOVRFY)) {
            return Decision.of(Replies.CANNOT_VRFY);
        }
        if (privacy.has(PrivacyOptions.Flag.NEEDVRFYHELO) && !c.heloSeen()) {
            return Decision.of(Replies.INTRODUCE_YOURSELF);
        }
        if (!cmd.hasArgument()) {
            return Decision.of(Replies.ARGUMENT_REQUIRED);
        }
        try {
            return Decision.of(verifier.vrfy(cmd.argument()));
        } catch (DirectoryUnavailableException e) {
            log.warn("VRFY: directory unavailable: {}", e.getMessage());
            return Decision.of(Replies.lookupFailed(cmd.argument().strip()));
        }
    }

    public Decision expn(ClientView c, CommandLine cmd) {
        if (!privacy.expnOffered()) {
            return Decision.of(Replies.NOT_ALLOWED);
        }
        if (privacy.has(PrivacyOptions.Flag.NEEDEXPNHELO) && !c.heloSeen()) {
            return Decision.of(Replies.INTRODUCE_YOURSELF);
        }
        if (!cmd.hasArgument()) {
            return Decision.of(Replies.ARGUMENT_REQUIRED);
        }
        try {
            return Decision.of(verifier.expn(cmd.argument()));
        } catch (DirectoryUnavailableException e) {
            log.warn("EXPN: directory unavailable: {}", e.getMessage());
            return Decision.of(Replies.lookupFailed(cmd.argument().strip()));
        }
    }

    /** MAIL before HELO under needmailhelo; null when MAIL may proceed. */
    public Decision mailBeforeHelo(ClientView c) {
        if (privacy.has(PrivacyOptions.Flag.NEEDMAILHELO) && !c.heloSeen()) {
            return Decision.of(Replies.POLITE_PEOPLE);
        }
        return null;
    }

    public Decision verb(ClientView c) {
        // Verbose mode is accepted as sendmail accepts it, but Tacit never sends 050 notices:
        // they reveal alias expansions and home directories (sendmail-privacy.md 6.2).
        return Decision.of(privacy.verbOffered() ? Replies.VERBOSE : Replies.VERBOSE_UNAVAILABLE);
    }

    public Decision etrn(ClientView c, CommandLine cmd) {
        if (privacy.has(PrivacyOptions.Flag.NOETRN)) {
            return Decision.of(Replies.NOT_ALLOWED);
        }
        if (!cmd.hasArgument()) {
            return Decision.of(Replies.PARAMETER_REQUIRED);
        }
        return Decision.of(Replies.etrnStarted(cmd.argument().strip()));
    }

    /**
     * RCPT for an address already parsed: relaying is refused for every non-local domain (Tacit is
     * never an open relay); a local name is accepted when it is a user or an alias, exactly as
     * sendmail verifies it (an alias is not expanded for the answer, so a list with a bad member is
     * still accepted, sendmail-privacy.md 8). Its delivery targets are expanded here for the queue;
     * members that cannot be delivered are logged.
     *
     * @param echo the path as the client wrote it, angle brackets included (sendmail's reply prefix)
     */
    public RcptDecision rcpt(ClientView c, String echo, MailAddress address) {
        if (address.hasDomain() && !verifier.expander().domains().isLocal(address.domain())) {
            return RcptDecision.refuse(Decision.of(Replies.relayingDenied(echo)));
        }
        try {
            Reply refused = verifier.rcptRefusal(echo, address);
            if (refused != null) {
                return RcptDecision.refuse(Decision.of(refused));
            }
            Expansion x = verifier.expander().run(echo, address, Expander.Mode.DELIVER);
            for (Expansion.Problem p : x.problems()) {
                log.warn("RCPT {}: not delivered: {}", echo, SendmailVerifier.error(p));
            }
            return new RcptDecision(Decision.of(Replies.recipientOk(echo)), true, x.targets());
        } catch (DirectoryUnavailableException e) {
            log.warn("RCPT {}: directory unavailable: {}", echo, e.getMessage());
            return RcptDecision.refuse(Decision.of(Replies.lookupFailed(echo)));
        }
    }
}
