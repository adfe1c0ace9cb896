package dev.tacit.server;

import dev.tacit.config.TacitConfig;
import dev.tacit.events.MailLog;
import dev.tacit.policy.ClientView;
import dev.tacit.policy.Decision;
import dev.tacit.policy.SourceState;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import dev.tacit.smtp.SmtpInput;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection, served by one virtual thread with blocking I/O.
 *
 * <p>The loop reads a line, checks it (length, characters, open-proxy probe on the first line), looks
 * the verb up in {@link CommandTable} and runs the handler. Every reply goes through
 * {@link #reply(Reply)}, which is the one place that counts bad commands and closes after sendmail's
 * limit. Replies are buffered and flushed only when the client has nothing more pipelined, so a
 * PIPELINING client gets its replies in order and in as few packets as possible (RFC 2920 3.1).
 *
 * <p>TLS: on a submissions listener the handshake comes first (RFC 8314 3.3); STARTTLS layers it
 * over the open connection (RFC 3207), dropping whatever the client pipelined behind the command so
 * plaintext injected by a man in the middle is never run as a command (CVE-2011-0411), and then
 * forgets the client's EHLO. The AUTH identity, once set, makes the client trusted
 * ({@link ClientView#authenticated()}).
 *
 * <p>Before each command the session asks whether its source has been blocked meanwhile: a RCPT
 * lookup that ran after its reply (enumeration defence) may have escalated the guard, and the next
 * command then gets the guard's 421.
 *
 * <p>Config keys: limits.max_command_line, limits.max_bad_commands, limits.command_timeout,
 * greeting_text, tls.handshake_timeout.
 */
public final class Session implements Runnable, ClientView {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final ServerContext ctx;
    /** The TCP connection; {@link #socket} is the TLS socket over it once TLS is up. */
    private final Socket tcp;
    private volatile Socket socket;
    private final ListenerRole role;
    private SSLSocket tls;
    private String authLogin;
    private String sessionId;
    private final Runnable onClose;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final SessionState state = new SessionState();
    private SmtpInput in;
    private OutputStream out;
    private String clientName;
    private volatile boolean closing;
    private volatile boolean awaitingCommand;
    private volatile boolean shutdownRequested;
    private final SourceState source = new SourceState();
    private final ReadDeadline readDeadline;
    private long commandStart = System.nanoTime();
    private int errors;

    Session(ServerContext ctx, Socket socket, String sessionId, Runnable onClose, ListenerRole role) {
        this.ctx = ctx;
        this.tcp = socket;
        this.socket = socket;
        this.role = role;
        this.sessionId = sessionId;
        this.onClose = onClose;
        this.readDeadline = new ReadDeadline(socket);
    }

    // ------------------------------------------------------------------ accessors for handlers

    public ServerContext ctx() {
        return ctx;
    }

    public TacitConfig config() {
        return ctx.config();
    }

    public SessionState state() {
        return state;
    }

    public SmtpInput input() {
        return in;
    }

    public String sessionId() {
        return sessionId;
    }

    /** A new id after a transaction ends, as sendmail starts a new envelope (and log prefix). */
    public void renewSessionId() {
        sessionId = ctx.spool().newQueueId();
    }

    @Override
    public InetAddress address() {
        return tcp.getInetAddress();
    }

    public ListenerRole role() {
        return role;
    }

    /** Whether this connection is encrypted now. */
    public boolean tlsActive() {
        return tls != null;
    }

    /** Whether STARTTLS may be offered: a certificate is configured and TLS is not up yet. */
    public boolean tlsAvailable() {
        return ctx.tls() != null && tls == null;
    }

    /** The protocol and cipher in use, or null before TLS. */
    public SSLSession tlsSession() {
        return tls == null ? null : tls.getSession();
    }

    /** Whether AUTH may be offered on this listener once the connection is encrypted. */
    public boolean authConfigured() {
        return ctx.tls() != null && (role.requiresAuth() || config().auth().onListen());
    }

    /** Whether AUTH is offered now: configured here, TLS up, not yet authenticated (RFC 4954 4). */
    public boolean authOffered() {
        return authConfigured() && tls != null && authLogin == null;
    }

    public void authenticated(String login) {
        this.authLogin = login;
    }

    @Override
    public boolean authenticated() {
        return authLogin != null;
    }

    /**
     * The protocol as Received: headers and log lines name it: SMTP or ESMTP, with S for TLS and A for
     * AUTH (RFC 3848), or the UTF8SMTP forms of RFC 6531 when the message uses SMTPUTF8.
     */
    public String protocol(boolean utf8) {
        if (!state.esmtp()) {
            return "SMTP";
        }
        return (utf8 ? "UTF8SMTP" : "ESMTP") + (tls != null ? "S" : "") + (authLogin != null ? "A" : "");
    }

    /** Restarts the latency envelope: AUTH's credentials arrive on lines of their own. */
    public void markCommandStart() {
        commandStart = System.nanoTime();
    }

    @Override
    public String clientName() {
        return clientName;
    }

    @Override
    public String heloName() {
        return state.helo;
    }

    @Override
    public String sender() {
        return state.tx == null ? null : state.tx.sender();
    }

    @Override
    public long commandStartNanos() {
        return commandStart;
    }

    @Override
    public SourceState source() {
        return source;
    }

    public MailLog mailLog() {
        return ctx.mailLog();
    }

    /** The timeout of the reads from now on (enforced by the listener's sweep, see {@link ReadDeadline}). */
    public void setReadTimeout(Duration d) {
        readDeadline.timeout(d);
    }

    ReadDeadline readDeadline() {
        return readDeadline;
    }

    // ------------------------------------------------------------------ the loop

    @Override
    public void run() {
        ctx.metrics().sessionOpened();
        try {
            socket.setTcpNoDelay(true);
            setReadTimeout(config().limits().commandTimeout());
            in = new SmtpInput(readDeadline.wrap(socket.getInputStream()));
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            clientName = ClientNames.describe(socket.getInetAddress());
            ctx.mailLog().log(14, MailLog.Priority.INFO, "NOQUEUE", "connect from " + clientName);
            if (role.implicitTls() && !handshake()) {
                return;
            }
            Decision blocked = ctx.policy().connect(this);
            if (blocked != null) {
                sendAndClose(blocked.reply());
                return;
            }
            reply(Replies.greeting(ctx.hostname(), config().greetingText()));
            while (!closing) {
                if (shutdownRequested && state.tx == null) {
                    sendAndClose(Replies.shuttingDown(ctx.hostname()));
                    break;
                }
                if (in.buffered() == 0) {
                    flush();
                }
                awaitingCommand = true;
                SmtpInput.Line line;
                try {
                    line = in.readLine(config().limits().maxCommandLine(), false);
                } finally {
                    awaitingCommand = false;
                }
                commandStart = System.nanoTime();
                if (line == null || line.end() == SmtpInput.End.EOF) {
                    if (shutdownRequested && !closing) {
                        sendAndClose(Replies.shuttingDown(ctx.hostname()));
                    } else {
                        lostInput();
                    }
                    break;
                }
                handleLine(line);
            }
        } catch (SocketTimeoutException e) {
            ctx.mailLog().log(1, MailLog.Priority.NOTICE, sessionId, "timeout waiting for input from " + clientName + " during server cmd read");
            sendAndClose(Replies.timeout(ctx.hostname()));
        } catch (IOException e) {
            if (shutdownRequested && !closing) {
                // over TLS, the read cut by requestShutdown ends in an exception rather than EOF
                sendAndClose(Replies.shuttingDown(ctx.hostname()));
            } else if (!closing) {
                log.debug("session {}: {}", sessionId, e.toString());
            }
        } catch (RuntimeException e) {
            log.error("session {}: internal error; closing", sessionId, e);
            sendAndClose(Replies.LOCAL_ERROR.withCode(421, "4.3.0"));
        } finally {
            closeQuietly();
        }
    }

    private void lostInput() {
        if (state.tx != null) {
            ctx.mailLog().log(1, MailLog.Priority.NOTICE, sessionId, "lost input channel from " + clientName + " to MTA after " + "mail");
        } else {
            ctx.mailLog().log(19, MailLog.Priority.NOTICE, sessionId, "lost input channel from " + clientName + " to MTA");
        }
    }

    private void handleLine(SmtpInput.Line line) throws IOException {
        // a RCPT lookup that ended after its reply may have blocked this source since the last command
        Decision blocked = ctx.policy().blocked(this);
        if (blocked != null) {
            sendAndClose(blocked.reply());
            return;
        }
        if (line.overflow()) {
            ctx.mailLog().log(-1, MailLog.Priority.INFO, sessionId,
                    clientName + ": SMTP violation, input too long: " + (line.length() + 1));
            sendAndClose(Replies.commandTooLong(ctx.hostname(), clientName));
            return;
        }
        String text = decode(line.data());
        if (text == null) {
            countBad();
            reply(Replies.INVALID_CHARACTERS);
            return;
        }
        if (state.firstCommand) {
            state.firstCommand = false;
            if (looksLikeProxyProbe(text)) {
                String shown = text.length() > 40 ? text.substring(0, 40) : text;
                ctx.mailLog().log(-1, MailLog.Priority.INFO, sessionId, clientName + ": probable open proxy: command=" + shown);
                sendAndClose(Replies.openProxy(ctx.hostname(), clientName));
                return;
            }
        }
        CommandLine cmd = CommandLine.parse(text);
        if (ctx.mailLog().enabled(14)) {
            ctx.mailLog().log(14, MailLog.Priority.INFO, sessionId, "<-- " + redacted(cmd, text));
        }
        CommandHandler handler = CommandTable.lookup(cmd.verb());
        if (handler == null) {
            unknownCommand(cmd);
            return;
        }
        handler.handle(this, cmd);
    }

    /** A command line as the log may show it: AUTH's initial response carries credentials. */
    private static String redacted(CommandLine cmd, String text) {
        if (!cmd.verb().equals("AUTH")) {
            return text;
        }
        String[] words = cmd.argument().strip().split("\\s+", 2);
        return cmd.typed() + " " + words[0] + (words.length > 1 ? " ***" : "");
    }

    // ------------------------------------------------------------------ TLS

    /**
     * STARTTLS after its 220 (RFC 3207 4.2): whatever the client sent behind the command is dropped
     * unread, TLS is negotiated, and the client must introduce itself again. When the handshake fails
     * the session is over (the connection is in no state to go on in plaintext).
     */
    public void startTls() throws IOException {
        flush();
        int dropped = in.buffered();
        in.discardBuffered();
        if (dropped > 0) {
            ctx.mailLog().log(5, MailLog.Priority.NOTICE, sessionId, clientName + ": STARTTLS: " + dropped
                    + " bytes pipelined after STARTTLS discarded (possible command injection)");
        }
        if (handshake()) {
            state.forgetClient();
        }
    }

    /** Layers TLS over the connection and waits for the handshake; false (logged, closing) if it fails. */
    private boolean handshake() throws IOException {
        SSLSocket ssl = ctx.tls().wrap(tcp);
        try {
            ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config().tls().handshakeTimeout().toMillis()));
            ssl.startHandshake();
            ssl.setSoTimeout(0); // from here on the read deadline bounds reads, as before TLS
        } catch (IOException e) {
            closing = true;
            ctx.mailLog().log(8, MailLog.Priority.NOTICE, sessionId, "STARTTLS=server, relay=" + clientName + ", error: handshake failed: "
                    + Replies.shorten(String.valueOf(e.getMessage())));
            ctx.metrics().probe("tls_handshake_failed");
            return false;
        }
        SmtpInput tlsIn = new SmtpInput(readDeadline.wrap(ssl.getInputStream()));
        OutputStream tlsOut = new BufferedOutputStream(ssl.getOutputStream(), 8192);
        writeLock.lock();
        try {
            socket = ssl;
            tls = ssl;
            in = tlsIn;
            out = tlsOut;
        } finally {
            writeLock.unlock();
        }
        SSLSession ss = ssl.getSession();
        ctx.mailLog().log(8, MailLog.Priority.INFO, sessionId, "STARTTLS=server, relay=" + clientName + ", version=" + ss.getProtocol()
                + ", verify=NO, cipher=" + ss.getCipherSuite());
        return true;
    }

    /** The reply to an unknown command, and the bad-command count it implies (sendmail 3.5, 3.7). */
    public void unknownCommand(CommandLine cmd) throws IOException {
        if (countBad()) {
            return;
        }
        reply(Replies.unrecognized(cmd.line()));
    }

    /**
     * Counts a bad command; past the limit, answers 421 and closes (the 26th bad command gets the 421
     * instead of its own reply). Returns true when the session is closing.
     */
    public boolean countBad() throws IOException {
        state.badCommands++;
        if (state.badCommands > config().limits().maxBadCommands()) {
            sendAndClose(Replies.tooManyBadCommands(ctx.hostname()));
            return true;
        }
        return false;
    }

    private static boolean looksLikeProxyProbe(String line) {
        for (String p : new String[] {"GET", "POST", "CONNECT", "USER"}) {
            if (line.length() > p.length() && line.regionMatches(true, 0, p, 0, p.length())
                    && Character.isWhitespace(line.charAt(p.length()))) {
                return true;
            }
        }
        return false;
    }

    /** Strict UTF-8 without control characters other than TAB; null when the line has any. */
    static String decode(byte[] data) {
        for (byte b : data) {
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ output

    /**
     * Queues a reply; it is flushed when the client has nothing more pipelined. This is the one
     * chokepoint: the guard's tarpit (every reply of a tarpitted source waits) and Postfix-style error
     * limits (guard.soft_error_limit / hard_error_limit) apply here.
     */
    public void reply(Reply r) throws IOException {
        if (!closing) {
            pause(ctx.policy().tarpit(this));
            if (r.code() >= 400 && r.code() != 421 && countError()) {
                return;
            }
        }
        ctx.metrics().reply(r.code());
        writeLock.lock();
        try {
            out.write(r.toBytes());
        } finally {
            writeLock.unlock();
        }
        if (ctx.mailLog().enabled(14)) {
            for (String l : r.toWire().split("\r\n")) {
                ctx.mailLog().log(14, MailLog.Priority.INFO, sessionId, "--- " + l);
            }
        }
    }

    /** Applies a policy decision: wait, answer, maybe close. */
    public void apply(Decision d) throws IOException {
        pause(d.delay());
        if (d.close()) {
            sendAndClose(d.reply());
        } else {
            reply(d.reply());
        }
    }

    /**
     * Counts one client error (a 4xx/5xx reply, or an unknown recipient accepted for uniformity). Past
     * the soft limit every reply waits guard.error_sleep; at the hard limit the session ends with
     * 421 4.7.0. Returns true when the session is closing.
     */
    public boolean countError() throws IOException {
        var g = config().guard();
        errors++;
        if (g.hardErrorLimit() > 0 && errors >= g.hardErrorLimit()) {
            sendAndClose(Replies.tooManyErrors(ctx.hostname()));
            return true;
        }
        if (g.softErrorLimit() > 0 && errors > g.softErrorLimit()) {
            pause(g.errorSleep());
        }
        return false;
    }

    /** Waits before the next reply (tarpits, sendmail's slow-down); replies already queued go out first. */
    public void pause(Duration d) throws IOException {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        flush();
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    public void flush() throws IOException {
        writeLock.lock();
        try {
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Sends a last reply and ends the session. */
    public void sendAndClose(Reply r) {
        if (closing) {
            return;
        }
        closing = true;
        try {
            if (out != null) {
                reply(r);
                flush();
            }
        } catch (IOException e) {
            log.debug("session {}: last reply not delivered: {}", sessionId, e.toString());
        }
    }

    /** QUIT: answer and close. */
    public void quit(Reply r) {
        state.quit = true;
        sendAndClose(r);
    }

    private void closeQuietly() {
        closing = true;
        try {
            if (out != null) {
                out.flush();
            }
        } catch (IOException ignored) {
            // the peer is gone
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        ctx.metrics().sessionClosed();
        // RCPT lookups still running (a client that left mid-transaction) keep the connection's slot
        // until they end, so the connection limits bound them; shutdown waits for them the same way
        if (!state.awaitLookups(config().directory().timeout())) {
            log.debug("session {}: lookups still running at close", sessionId);
        }
        onClose.run();
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Asks the session to end: an idle session outside a transaction is woken and told 421 4.3.2 at
     * once; one inside a transaction finishes its message first.
     */
    void requestShutdown() {
        shutdownRequested = true;
        if (awaitingCommand && state.tx == null) {
            try {
                tcp.shutdownInput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    public boolean shutdownRequested() {
        return shutdownRequested;
    }

    void forceClose() {
        closing = true;
        try {
            tcp.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
