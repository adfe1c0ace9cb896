package dev.tacit.audit;

import dev.tacit.smtp.SmtpClient;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The comparable form of one reply: code, enhanced code and text with the probed name masked, so that
 * {@code 550 5.1.1 <xk3q>... User unknown} and {@code 550 5.1.1 <jdoe>... User unknown} compare
 * equal. Two names whose shapes differ were told apart by the server.
 *
 * @param code     reply code, -1 when the server closed the connection or did not answer in time
 * @param enhanced RFC 3463 enhanced code, or null
 * @param text     every reply line with the enhanced code removed and the probed name replaced by
 *                 {@code <NAME>}; lower case, white space collapsed
 */
public record Shape(int code, String enhanced, String text) {

    public static final String MASK = "<NAME>";
    public static final Shape NO_ANSWER = new Shape(-1, null, "");

    public static Shape of(SmtpClient.Response r, String probedName) {
        if (r == null) {
            return NO_ANSWER;
        }
        String enh = r.enhanced();
        StringBuilder sb = new StringBuilder();
        for (String line : r.lines()) {
            String l = line;
            if (enh != null && l.startsWith(enh)) {
                l = l.substring(enh.length()).strip();
            }
            if (!sb.isEmpty()) {
                sb.append(" | ");
            }
            sb.append(l);
        }
        return new Shape(r.code(), enh, mask(sb.toString(), probedName));
    }

    static String mask(String text, String name) {
        String t = text;
        if (name != null && !name.isEmpty()) {
            t = Pattern.compile(Pattern.quote(name), Pattern.CASE_INSENSITIVE).matcher(t).replaceAll(MASK);
        }
        return t.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    public boolean positive() {
        return code >= 200 && code < 400;
    }

    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    public boolean permanentFailure() {
        return code >= 500;
    }

    /** Same code and enhanced code (the text may differ). */
    public boolean sameCodes(Shape o) {
        return code == o.code && java.util.Objects.equals(enhanced, o.enhanced);
    }

    @Override
    public String toString() {
        return code + (enhanced == null ? "" : " " + enhanced) + " " + text;
    }
}
