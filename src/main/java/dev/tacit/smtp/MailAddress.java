package dev.tacit.smtp;

import java.util.Locale;

/**
 * An RFC 5321 mailbox: a local part and an optional domain (absent for a bare local name such as
 * {@code RCPT TO:<gw>}, which sendmail and Tacit qualify with the host's own domain).
 *
 * <p>The local part is kept unquoted ({@code "gw"} and {@code gw} are the same mailbox) and exactly
 * as given otherwise; the domain is kept as given and compared case-insensitively.
 */
public record MailAddress(String localPart, String domain) {

    public MailAddress {
        if (localPart == null) {
            throw new IllegalArgumentException("local part");
        }
    }

    public boolean hasDomain() {
        return domain != null && !domain.isEmpty();
    }

    public String domainLower() {
        return domain == null ? null : domain.toLowerCase(Locale.ROOT);
    }

    /** Whether any character is outside ASCII (needs SMTPUTF8, RFC 6531). */
    public boolean isUtf8() {
        return !isAscii(localPart) || (domain != null && !isAscii(domain));
    }

    /** The address in RFC 5321 form, quoting the local part when it is not a dot-string. */
    public String toString() {
        String lp = isDotString(localPart) ? localPart : quote(localPart);
        return hasDomain() ? lp + "@" + domain : lp;
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5321 atext, extended with UTF-8 (RFC 6531 3.3). */
    static boolean isAtext(char c) {
        if (c > 0x7f) {
            return true;
        }
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    static boolean isDotString(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
