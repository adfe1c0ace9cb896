package dev.tacit.policy;

import dev.tacit.directory.AddressParser;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.Expander;
import dev.tacit.directory.Expansion;
import dev.tacit.directory.Expansion.Entry;
import dev.tacit.directory.Expansion.Problem;
import dev.tacit.smtp.MailAddress;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * VRFY, EXPN and RCPT answered from the directory in sendmail 8.17's public format, byte for byte
 * (sendmail-privacy.md 1, 6, 8; golden transcripts in src/test/resources/oracle-directory):
 *
 * <ul>
 *   <li>success: one line per entry, {@code 250 2.1.5 Full Name <login@host>}, {@code <login@host>}
 *       without a full name, {@code <user>} for remote, program and file entries; in VRFY a remote
 *       entry's line is {@code 252} (its mailer lacks sendmail's F=q) while the others stay 250;
 *   <li>the argument is a comma list; the lines follow sendmail's queue order ({@link Expander});
 *   <li>errors: only the first is sent, with the offending address as typed in front
 *       ({@code 550 5.1.1 nosuchuser... User unknown}, {@code 553 5.0.0 <gw... Unbalanced '<'});
 *   <li>{@code 554 5.5.2 Nothing to VRFY} when nothing is left.
 * </ul>
 *
 * <p>Security: this is the answer an attacker wants. The policy ({@link SmtpPolicy}) decides whether a
 * client ever gets it; this class only formats what the directory says.
 */
public final class SendmailVerifier {

    private final Expander expander;
    private final String host;

    public SendmailVerifier(Expander expander, String host) {
        this.expander = expander;
        this.host = host;
    }

    public Expander expander() {
        return expander;
    }

    public Reply vrfy(String argument) throws DirectoryUnavailableException {
        return answer(expander.run(argument, Expander.Mode.VERIFY), true);
    }

    public Reply expn(String argument) throws DirectoryUnavailableException {
        return answer(expander.run(argument, Expander.Mode.EXPAND), false);
    }

    /**
     * Whether RCPT accepts a local recipient: sendmail verifies it as VRFY does (an alias is accepted
     * without being expanded), so the reply is Recipient ok, User unknown, or a refusal of a program or
     * file named directly; null when it is accepted.
     */
    public Reply rcptRefusal(String echo, MailAddress address) throws DirectoryUnavailableException {
        Expansion x = expander.run(echo, address, Expander.Mode.VERIFY);
        return x.ok() ? null : error(x.firstError());
    }

    /**
     * Whether RCPT's answer for this address depends on the directory: only a local name does. A
     * program, file or include named directly and a syntax error are refused from the address alone.
     */
    public boolean rcptNeedsLookup(String echo, MailAddress address) {
        return expander.parse(echo, address) instanceof AddressParser.Local;
    }

    private Reply answer(Expansion x, boolean vrfy) {
        if (!x.ok()) {
            return error(x.firstError());
        }
        if (x.entries().isEmpty()) {
            return Replies.nothingTo(vrfy ? "VRFY" : "EXPN");
        }
        List<Integer> codes = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Entry e : x.entries()) {
            codes.add(vrfy && e.kind() == Expansion.Kind.REMOTE ? 252 : 250);
            lines.add(line(e));
        }
        return Reply.perLine(codes, "2.1.5", lines);
    }

    private String line(Entry e) {
        boolean local = e.kind() == Expansion.Kind.LOCAL || e.kind() == Expansion.Kind.ALIAS;
        String addr = local && e.user().indexOf('@') < 0 ? "<" + e.user() + "@" + host + ">" : "<" + e.user() + ">";
        return e.fullName() == null ? addr : e.fullName() + " " + addr;
    }

    /** The reply sendmail gives for a problem, the address as typed in front where sendmail puts it. */
    public static Reply error(Problem p) {
        return switch (p) {
            case Problem.Unknown u -> Replies.userUnknown(u.typed());
            case Problem.LoopBroken l -> Replies.LOOP_BROKEN;
            case Problem.TooDeep d -> Replies.loopTooDeep(d.level(), d.max());
            case Problem.NotDirect n -> Replies.cannotMailDirectly(n.typed(), n.what());
            case Problem.Disabled d -> Replies.targetDisabled(d.typed());
            case Problem.IncludeMissing m -> Replies.cannotOpen(m.typed(), m.path(), "No such file or directory");
            case Problem.Syntax s -> syntax(s.invalid());
        };
    }

    private static Reply syntax(AddressParser.Invalid inv) {
        return switch (inv.syntax()) {
            case UNBALANCED -> Replies.unbalanced(inv.typed(), inv.bad());
            case TOKEN_TOO_LONG -> Replies.tokenTooLong(inv.typed());
            case ADDRESS_TOO_LONG -> Replies.addressTooLong(inv.typed());
            case HOSTNAME_REQUIRED -> Replies.hostnameRequired(inv.typed());
            case USER_REQUIRED -> Replies.userAddressRequired(inv.typed());
        };
    }
}
