package dev.tacit.smtp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the argument of MAIL and RCPT: {@code FROM:<path> [params]} / {@code TO:<path> [params]}
 * (RFC 5321 4.1.1.2, 4.1.1.3, 4.1.2).
 *
 * <p>Lenient where sendmail and Postfix are (spaces around the colon, a path without angle brackets,
 * a source route that is ignored per RFC 5321 C), strict where it matters: the path must be a valid
 * mailbox, parameters are {@code KEY[=VALUE]} words, and control characters are refused.
 */
public final class PathArgument {

    /** Parse outcome: exactly one of {@code path} or {@code error} is set. */
    public record Result(String echo, MailAddress address, boolean nullPath, Map<String, String> params, Reply error) {
        public boolean ok() {
            return error == null;
        }

        static Result error(Reply r) {
            return new Result(null, null, false, Map.of(), r);
        }
    }

    public enum Kind { SENDER, RECIPIENT }

    private PathArgument() {}

    /**
     * @param arg     everything after the verb, e.g. {@code FROM:<a@b> SIZE=10}
     * @param keyword {@code FROM} or {@code TO}
     */
    public static Result parse(String arg, String keyword, Kind kind) {
        String s = arg.stripLeading();
        int colon = s.indexOf(':');
        String word = colon < 0 ? firstWord(s) : s.substring(0, colon).strip();
        if (colon < 0 || !word.equalsIgnoreCase(keyword)) {
            return Result.error(Replies.syntaxScanning(word.isEmpty() ? s : word));
        }
        String rest = s.substring(colon + 1).stripLeading();
        if (rest.isEmpty()) {
            return Result.error(Replies.syntaxScanning(word));
        }
        String pathText;
        String paramText;
        if (rest.charAt(0) == '<') {
            int close = findClose(rest);
            if (close < 0) {
                return Result.error(Replies.unbalanced(firstWord(rest), '<'));
            }
            pathText = rest.substring(0, close + 1);
            paramText = rest.substring(close + 1);
            if (!paramText.isEmpty() && paramText.charAt(0) != ' ') {
                return Result.error(kind == Kind.SENDER ? Replies.badSenderSyntax(rest) : Replies.badRecipientSyntax(rest));
            }
        } else {
            int sp = rest.indexOf(' ');
            pathText = sp < 0 ? rest : rest.substring(0, sp);
            paramText = sp < 0 ? "" : rest.substring(sp);
            if (pathText.indexOf('>') >= 0) {
                return Result.error(Replies.unbalanced(pathText, '>'));
            }
        }
        Map<String, String> params = parseParams(paramText.strip());
        if (params == null) {
            return Result.error(Replies.badParameter(paramText.strip()));
        }
        String inner = pathText.startsWith("<") ? pathText.substring(1, pathText.length() - 1) : pathText;
        if (inner.isEmpty()) {
            if (kind == Kind.SENDER && pathText.equals("<>")) {
                return new Result("<>", null, true, params, null);
            }
            return Result.error(kind == Kind.SENDER ? Replies.syntaxScanning(word) : Replies.userUnknown("<>"));
        }
        // RFC 5321 4.1.2 / appendix C: a source route "@a,@b:" is accepted and ignored.
        if (inner.startsWith("@")) {
            int c = inner.indexOf(':');
            if (c < 0) {
                return Result.error(kind == Kind.SENDER ? Replies.badSenderSyntax(pathText) : Replies.badRecipientSyntax(pathText));
            }
            inner = inner.substring(c + 1);
        }
        MailAddress address = parseMailbox(inner);
        if (address == null) {
            if (inner.endsWith("@")) {
                return Result.error(Replies.hostnameRequired(pathText));
            }
            return Result.error(kind == Kind.SENDER ? Replies.badSenderSyntax(pathText) : Replies.badRecipientSyntax(pathText));
        }
        return new Result(pathText, address, false, params, null);
    }

    private static String firstWord(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != ':') {
            i++;
        }
        return s.substring(0, i);
    }

    /** Index of the '>' that closes the leading '<', skipping quoted strings; -1 if none. */
    private static int findClose(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                return i;
            } else if (c == '<') {
                return -1;
            }
        }
        return -1;
    }

    /** KEY[=VALUE] words (RFC 5321 4.1.2 esmtp-param). Null on bad syntax. */
    static Map<String, String> parseParams(String text) {
        if (text.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : text.split(" +")) {
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            String value = eq < 0 ? null : w.substring(eq + 1);
            if (key.isEmpty() || !isKeyword(key)) {
                return null;
            }
            if (value != null) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c < 33 || c == '=' || c == 127) {
                        return null;
                    }
                }
            }
            out.put(key.toUpperCase(Locale.ROOT), value);
        }
        return out;
    }

    private static boolean isKeyword(String k) {
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || (c == '-' && i > 0);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses {@code local[@domain]}. The local part is a dot-string or a quoted string (returned
     * unquoted); the domain is a hostname or an address literal. Null when invalid.
     */
    public static MailAddress parseMailbox(String s) {
        if (s.isEmpty() || s.length() > 512) {
            return null;
        }
        String local;
        int i;
        if (s.charAt(0) == '"') {
            StringBuilder sb = new StringBuilder();
            i = 1;
            boolean closed = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    // quoted-pairSMTP is %d92 %d32-126 (RFC 5321 4.1.2): a control character stays
                    // refused when escaped, or the mailbox could not be written back (found by fuzzing)
                    if (i + 1 >= s.length() || s.charAt(i + 1) < 32 || s.charAt(i + 1) == 127) {
                        return null;
                    }
                    sb.append(s.charAt(i + 1));
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    closed = true;
                    i++;
                    break;
                }
                if (c < 32 || c == 127) {
                    return null;
                }
                sb.append(c);
                i++;
            }
            if (!closed) {
                return null;
            }
            local = sb.toString();
        } else {
            int at = s.lastIndexOf('@');
            local = at < 0 ? s : s.substring(0, at);
            if (!MailAddress.isDotString(local)) {
                return null;
            }
            i = local.length();
        }
        if (i == s.length()) {
            return new MailAddress(local, null);
        }
        if (s.charAt(i) != '@') {
            return null;
        }
        String domain = s.substring(i + 1);
        if (!isDomain(domain)) {
            return null;
        }
        return new MailAddress(local, domain);
    }

    static boolean isDomain(String d) {
        if (d.isEmpty() || d.length() > 255) {
            return false;
        }
        if (d.charAt(0) == '[') {
            return d.endsWith("]") && isAddressLiteral(d.substring(1, d.length() - 1));
        }
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int k = 0; k < label.length(); k++) {
                char c = label.charAt(k);
                boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c > 0x7f;
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean isAddressLiteral(String lit) {
        if (lit.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = lit.substring(5);
            return !v6.isEmpty() && v6.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        String[] parts = lit.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
