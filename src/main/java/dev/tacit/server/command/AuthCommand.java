package dev.tacit.server.command;

import dev.tacit.policy.AuthOutcome;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Sasl;
import dev.tacit.smtp.SmtpInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN. Offered and accepted only over TLS, never twice in a
 * session and never inside a transaction; the verdict on the credentials is the policy's
 * ({@code SmtpPolicy.authenticate}: one 535 5.7.8 for every failure, the same time for all of them,
 * failures counted by the guard).
 *
 * <p>Replies where RFC 4954 names them: 538 (TLS not up yet), 534 (a mechanism Tacit refuses as too
 * weak: CRAM-MD5, DIGEST-MD5 need the password in clear on the server), 504 (unknown mechanism), 501
 * (cancelled with "*", or not base64), 500 5.5.6 (a response line over 12288 octets), 454 (the directory
 * cannot answer).
 *
 * <p>Security: credentials never reach a log line ({@code Session} logs AUTH without its initial
 * response, continuation lines are not logged) and the password bytes are wiped after the check.
 *
 * <p>Config keys: auth.mechanisms, auth.on_listen, auth.latency.
 */
public final class AuthCommand implements CommandHandler {

    /** RFC 4954 4: a client response line may be this long. */
    static final int MAX_RESPONSE = 12288;

    private static final Set<String> TOO_WEAK = Set.of("CRAM-MD5", "DIGEST-MD5", "NTLM", "ANONYMOUS", "LOGIN-MD5");
    private static final String USERNAME_PROMPT = Sasl.encode("Username:");
    private static final String PASSWORD_PROMPT = Sasl.encode("Password:");

    /** A response the client gave up on or could not encode; the reply has been sent. */
    private static final byte[] FAILED = new byte[0];

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        if (!s.authConfigured()) {
            s.reply(Replies.AUTH_NOT_AVAILABLE);
            return;
        }
        if (!s.tlsActive()) {
            s.reply(Replies.AUTH_ENCRYPTION_REQUIRED);
            return;
        }
        if (s.authenticated()) {
            s.reply(Replies.AUTH_ALREADY);
            return;
        }
        if (s.state().helo() == null) {
            s.reply(Replies.POLITE_PEOPLE);
            return;
        }
        if (s.state().tx() != null) {
            s.reply(Replies.AUTH_IN_TRANSACTION);
            return;
        }
        String[] words = cmd.argument().strip().split("\\s+");
        String mech = words[0].toUpperCase(Locale.ROOT);
        if (mech.isEmpty() || words.length > 2 || !mech.matches("[A-Z0-9_-]{1,20}")) {
            s.reply(Replies.AUTH_SYNTAX);
            return;
        }
        if (!s.config().auth().mechanisms().contains(mech)) {
            s.reply(TOO_WEAK.contains(mech) ? Replies.AUTH_TOO_WEAK : Replies.AUTH_UNKNOWN_MECHANISM);
            return;
        }
        String initial = words.length == 2 ? words[1] : null;
        Sasl.Credentials creds = mech.equals("PLAIN") ? plain(s, initial) : login(s, initial);
        if (creds == null) {
            return;
        }
        try {
            AuthOutcome o = s.ctx().policy().authenticate(s, mech, creds.authzid(), creds.authcid(), creds.password());
            if (o.ok()) {
                s.authenticated(o.login());
            }
            s.apply(o.decision());
        } finally {
            Arrays.fill(creds.password(), (byte) 0);
        }
    }

    private Sasl.Credentials plain(Session s, String initial) throws IOException {
        byte[] msg = initial != null ? decode(s, initial) : respond(s, "");
        if (msg == FAILED) {
            return null;
        }
        Sasl.Credentials c = Sasl.plain(msg);
        Arrays.fill(msg, (byte) 0);
        if (c == null) {
            // a malformed message is a failed login like any other, not a hint about the format
            return new Sasl.Credentials("", "", new byte[] {0});
        }
        return c;
    }

    private Sasl.Credentials login(Session s, String initial) throws IOException {
        byte[] user = initial != null ? decode(s, initial) : respond(s, USERNAME_PROMPT);
        if (user == FAILED) {
            return null;
        }
        byte[] password = respond(s, PASSWORD_PROMPT);
        if (password == FAILED) {
            return null;
        }
        String name = Sasl.loginName(user);
        return new Sasl.Credentials("", name == null ? "" : name, password.length == 0 ? new byte[] {0} : password);
    }

    /** Sends a 334 challenge and reads the client's answer; FAILED once the reply to a bad answer is sent. */
    private byte[] respond(Session s, String challenge) throws IOException {
        s.reply(Replies.authChallenge(challenge));
        s.flush();
        SmtpInput.Line line = s.input().readLine(MAX_RESPONSE, true);
        s.markCommandStart();
        if (line == null || line.end() == SmtpInput.End.EOF) {
            throw new IOException("connection lost during AUTH");
        }
        if (line.overflow()) {
            s.reply(Replies.AUTH_LINE_TOO_LONG);
            return FAILED;
        }
        return decode(s, new String(line.data(), StandardCharsets.ISO_8859_1).strip());
    }

    private byte[] decode(Session s, String response) throws IOException {
        if (Sasl.cancelled(response)) {
            s.reply(Replies.AUTH_ABORTED);
            return FAILED;
        }
        byte[] b = Sasl.decode(response);
        if (b == null) {
            s.reply(Replies.AUTH_CANNOT_DECODE);
            return FAILED;
        }
        return b;
    }
}
