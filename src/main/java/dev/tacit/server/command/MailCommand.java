package dev.tacit.server.command;

import dev.tacit.events.MailLog;
import dev.tacit.policy.Decision;
import dev.tacit.policy.PrivacyOptions;
import dev.tacit.server.CommandHandler;
import dev.tacit.server.Session;
import dev.tacit.server.Transaction;
import dev.tacit.smtp.CommandLine;
import dev.tacit.smtp.DsnParameters;
import dev.tacit.smtp.PathArgument;
import dev.tacit.smtp.Replies;
import dev.tacit.smtp.Reply;
import java.io.IOException;
import java.util.Map;

/**
 * MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531) and the
 * DSN parameters RET and ENVID (RFC 3461 4.3, 4.4; kept as given in the envelope's parameters).
 * Unknown parameters are refused with 555 5.5.4 as RFC 5321 4.1.1.11 asks.
 */
public final class MailCommand implements CommandHandler {

    @Override
    public void handle(Session s, CommandLine cmd) throws IOException {
        if (s.role().requiresAuth() && !s.authenticated()) {
            // RFC 6409 4.3 / RFC 4954 6: submission only for authenticated clients, and AUTH only over TLS
            s.reply(s.tlsActive() ? Replies.AUTH_REQUIRED : Replies.STARTTLS_FIRST);
            return;
        }
        Decision early = s.ctx().policy().mailBeforeHelo(s);
        if (early != null) {
            s.apply(early);
            return;
        }
        if (s.state().tx() != null) {
            s.reply(Replies.SENDER_ALREADY);
            return;
        }

        PathArgument.Result p = PathArgument.parse(cmd.argument(), "FROM", PathArgument.Kind.SENDER);
        if (!p.ok()) {
            s.reply(p.error());
            return;
        }
        boolean utf8 = false;
        boolean eightBit = false;
        long size = -1;
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "AUTH" -> {
                    // RFC 4954 5: accepted where AUTH is offered; Tacit keeps no submitter, so the value is dropped
                    if (!s.authConfigured() || !s.tlsActive()) {
                        s.reply(Replies.parameterUnrecognized("AUTH"));
                        return;
                    }
                    if (v == null || !v.matches("<>|[\\x21-\\x7e]{1,500}")) {
                        s.reply(Replies.badParameter("AUTH" + (v == null ? "" : "=" + v)));
                        return;
                    }
                }
                case "SIZE" -> {
                    if (v == null || !v.matches("\\d{1,18}")) {
                        s.reply(Replies.badParameter("SIZE" + (v == null ? "" : "=" + v)));
                        return;
                    }
                    size = Long.parseLong(v);
                }
                case "BODY" -> {
                    if (v == null || !(v.equalsIgnoreCase("7BIT") || v.equalsIgnoreCase("8BITMIME"))) {
                        s.reply(Replies.badParameter("BODY" + (v == null ? "" : "=" + v)));
                        return;
                    }
                    eightBit = v.equalsIgnoreCase("8BITMIME");
                }
                case "RET", "ENVID" -> {
                    Reply bad = DsnParameters.checkMail(e.getKey(), v, s.ctx().policy().dsnOffered());
                    if (bad != null) {
                        s.reply(bad);
                        return;
                    }
                }
                case "SMTPUTF8" -> {
                    if (v != null) {
                        s.reply(Replies.badParameter("SMTPUTF8=" + v));
                        return;
                    }
                    utf8 = true;
                }
                default -> {
                    s.reply(Replies.parameterUnrecognized(e.getKey()));
                    return;
                }
            }
        }
        long max = s.config().limits().maxMessageSize();
        if (size > max) {
            s.reply(Replies.sizeExceeded(max));
            return;
        }
        if (!p.nullPath() && p.address().isUtf8() && !utf8) {
            s.reply(Replies.needsSmtputf8(p.echo()));
            return;
        }
        String sender = p.nullPath() ? "" : p.address().toString();
        if (s.state().helo() == null && s.ctx().policy().privacy().has(PrivacyOptions.Flag.AUTHWARNINGS)) {
            s.mailLog().log(3, MailLog.Priority.INFO, s.sessionId(), "Authentication-Warning: " + shortHost(s.ctx().hostname()) + ": "
                    + s.clientName() + " didn't use HELO protocol");
        }
        s.state().setTransaction(new Transaction(sender, p.echo(), String.join(" ", paramWords(p.params())), utf8, eightBit, size));
        s.state().markIssued();
        s.ctx().policy().reassess(s);
        s.reply(Replies.senderOk(p.echo()));
    }

    private static java.util.List<String> paramWords(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getValue() == null ? e.getKey() : e.getKey() + "=" + e.getValue()).toList();
    }

    static String shortHost(String host) {
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
    }
}
