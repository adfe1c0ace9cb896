package dev.tacit.smtp;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The DSN parameters of RFC 3461: RET and ENVID on MAIL (4.3, 4.4), NOTIFY and ORCPT on RCPT (4.1,
 * 4.2), checked with sendmail's replies, and kept in their wire form so that the spool stores them as
 * given and they can be passed on unchanged to the next hop. xtext (4 of RFC 3461) is decoded only
 * where a DSN shows the value to a person.
 *
 * <p>When DSNs are not offered (PrivacyOptions {@code noreceipts}) every DSN parameter is refused with
 * sendmail's 504, as the extension was not advertised.
 */
public final class DsnParameters {

    private DsnParameters() {}

    public enum Notify { SUCCESS, FAILURE, DELAY }

    /** What one recipient asked for; {@code notifyOn} null: no NOTIFY given (the default applies). */
    public record Recipient(Set<Notify> notifyOn, boolean never, String orcpt) {
        public static final Recipient NONE = new Recipient(null, false, null);

        /** Whether a failure is reported (the default when NOTIFY is absent, RFC 3461 4.1). */
        public boolean onFailure() {
            return !never && (notifyOn == null || notifyOn.contains(Notify.FAILURE));
        }

        public boolean onSuccess() {
            return !never && notifyOn != null && notifyOn.contains(Notify.SUCCESS);
        }

        /** The ORCPT address type and decoded address, e.g. {@code rfc822;a+b@example.org}; null if none. */
        public String originalRecipient() {
            if (orcpt == null) {
                return null;
            }
            int semi = orcpt.indexOf(';');
            return orcpt.substring(0, semi) + ";" + xtextDecode(orcpt.substring(semi + 1));
        }
    }

    /** What the sender asked for on MAIL: RET=FULL/HDRS (null: not given) and ENVID (wire form, null: none). */
    public record Mail(String ret, String envid) {
        public boolean headersOnly() {
            return "HDRS".equals(ret);
        }

        public String envidDecoded() {
            return envid == null ? null : xtextDecode(envid);
        }
    }

    /** Checks one MAIL parameter that is a DSN one; null when it is fine or not a DSN parameter. */
    public static Reply checkMail(String key, String value, boolean offered) {
        switch (key) {
            case "RET" -> {
                if (!offered) {
                    return Replies.dsnNotAllowed("RET");
                }
                if (value == null) {
                    return Replies.requiresValue("RET");
                }
                if (!value.equalsIgnoreCase("FULL") && !value.equalsIgnoreCase("HDRS")) {
                    return Replies.badRet(value);
                }
                return null;
            }
            case "ENVID" -> {
                if (!offered) {
                    return Replies.dsnNotAllowed("ENVID");
                }
                if (value == null) {
                    return Replies.requiresValue("ENVID");
                }
                // RFC 3461 4.4: at most 100 characters
                if (!xtextOk(value) || value.length() > 100) {
                    return Replies.syntaxInParameter("ENVID");
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /** Checks one RCPT parameter; null when it is a valid NOTIFY or ORCPT, else the reply to give. */
    public static Reply checkRcpt(String key, String value, boolean offered) {
        switch (key) {
            case "NOTIFY" -> {
                if (!offered) {
                    return Replies.dsnNotAllowed("NOTIFY");
                }
                if (value == null) {
                    return Replies.requiresValue("NOTIFY");
                }
                if (value.equalsIgnoreCase("NEVER")) {
                    return null;
                }
                for (String w : value.split(",", -1)) {
                    if (notify(w) == null) {
                        return Replies.badNotify(w);
                    }
                }
                return null;
            }
            case "ORCPT" -> {
                if (!offered) {
                    return Replies.dsnNotAllowed("ORCPT");
                }
                if (value == null) {
                    return Replies.requiresValue("ORCPT");
                }
                int semi = value.indexOf(';');
                // RFC 3461 4.2: addr-type ";" xtext, at most 500 characters
                if (semi <= 0 || !xtextOk(value) || value.length() > 500 || !isAtom(value.substring(0, semi))) {
                    return Replies.syntaxInParameter("ORCPT");
                }
                return null;
            }
            default -> {
                return Replies.parameterUnrecognized(key);
            }
        }
    }

    private static Notify notify(String w) {
        return switch (w.toUpperCase(Locale.ROOT)) {
            case "SUCCESS" -> Notify.SUCCESS;
            case "FAILURE" -> Notify.FAILURE;
            case "DELAY" -> Notify.DELAY;
            default -> null;
        };
    }

    /** Reads the stored RCPT parameters ("NOTIFY=... ORCPT=..."); unknown words are ignored. */
    public static Recipient recipient(String stored) {
        if (stored == null || stored.isBlank()) {
            return Recipient.NONE;
        }
        Set<Notify> notify = null;
        boolean never = false;
        String orcpt = null;
        for (Map.Entry<String, String> e : words(stored).entrySet()) {
            String v = e.getValue();
            if (e.getKey().equals("NOTIFY") && v != null) {
                if (v.equalsIgnoreCase("NEVER")) {
                    never = true;
                } else {
                    notify = EnumSet.noneOf(Notify.class);
                    for (String w : v.split(",")) {
                        Notify n = notify(w);
                        if (n != null) {
                            notify.add(n);
                        }
                    }
                }
            } else if (e.getKey().equals("ORCPT") && v != null && v.indexOf(';') > 0) {
                orcpt = v;
            }
        }
        return new Recipient(notify, never, orcpt);
    }

    /** Reads RET and ENVID from the stored MAIL parameters. */
    public static Mail mail(String stored) {
        String ret = null;
        String envid = null;
        if (stored != null && !stored.isBlank()) {
            for (Map.Entry<String, String> e : words(stored).entrySet()) {
                if (e.getKey().equals("RET") && e.getValue() != null) {
                    ret = e.getValue().toUpperCase(Locale.ROOT);
                } else if (e.getKey().equals("ENVID") && e.getValue() != null) {
                    envid = e.getValue();
                }
            }
        }
        return new Mail(ret, envid);
    }

    private static Map<String, String> words(String stored) {
        Map<String, String> m = PathArgument.parseParams(stored.strip());
        return m == null ? Map.of() : m;
    }

    private static boolean isAtom(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** RFC 3461 4: printable ASCII other than '+' and '=', or '+' and two upper-case hex digits. */
    public static boolean xtextOk(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length() || !isHexUpper(s.charAt(i + 1)) || !isHexUpper(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexUpper(char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'F';
    }

    /** Decodes xtext; control characters that would break a header line come out as '?'. */
    public static String xtextDecode(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' && i + 2 < s.length() && isHexUpper(s.charAt(i + 1)) && isHexUpper(s.charAt(i + 2))) {
                int v = Integer.parseInt(s.substring(i + 1, i + 3), 16);
                sb.append(v < 32 || v == 127 ? '?' : (char) v);
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Encodes a string as xtext (ORCPT for a recipient that came without one). */
    public static String xtextEncode(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                sb.append('+').append(String.format("%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
