package dev.tacit.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code and one or more
 * text lines. Immutable; rendered to the wire only by {@link #toWire()}.
 *
 * <p>Multi-line replies use {@code NNN-} on every line but the last (RFC 5321 4.2.1). When an
 * enhanced code is present it is repeated on every line, as sendmail does.
 *
 * <p>{@code lineCodes} is null except for sendmail's mixed VRFY listing, where each line carries its
 * own code ({@code 250-} for local entries, {@code 252} for remote ones, sendmail-privacy.md 6.2);
 * {@code code} is then the last line's code, the one a client acts on.
 */
public record Reply(int code, String enhanced, List<String> lines, List<Integer> lineCodes) {

    public Reply(int code, String enhanced, List<String> lines) {
        this(code, enhanced, lines, null);
    }

    public Reply {
        if (code < 0 || code > 999) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
        if (lineCodes != null) {
            lineCodes = List.copyOf(lineCodes);
            if (lineCodes.size() != lines.size() || lineCodes.get(lineCodes.size() - 1) != code) {
                throw new IllegalArgumentException("one code per line, the last equal to the reply code");
            }
        }
        for (String line : lines) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("reply text must not contain CR or LF");
            }
        }
    }

    public static Reply of(int code, String enhanced, String text) {
        return new Reply(code, enhanced, List.of(text));
    }

    public static Reply of(int code, String text) {
        return new Reply(code, null, List.of(text));
    }

    public static Reply multi(int code, String enhanced, List<String> lines) {
        return new Reply(code, enhanced, lines);
    }

    /** A multi-line reply whose lines carry different codes (sendmail's VRFY of a mixed list). */
    public static Reply perLine(List<Integer> codes, String enhanced, List<String> lines) {
        if (codes.stream().distinct().count() <= 1) {
            return new Reply(codes.get(codes.size() - 1), enhanced, lines);
        }
        return new Reply(codes.get(codes.size() - 1), enhanced, lines, codes);
    }

    public boolean isPositive() {
        return code >= 200 && code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** The first line's text, without code. */
    public String text() {
        return lines.get(0);
    }

    /** The reply as sent: every line terminated by CRLF. */
    public String toWire() {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < lines.size(); i++) {
            appendCode(sb, lineCodes == null ? code : lineCodes.get(i)).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhanced != null) {
                sb.append(enhanced);
                String line = lines.get(i);
                if (!line.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(line);
            } else {
                sb.append(lines.get(i));
            }
            sb.append("\r\n");
        }
        return sb.toString();
    }

    /** Three digits, zero-padded (0-999 is checked at construction); every reply pays this, so no Formatter. */
    private static StringBuilder appendCode(StringBuilder sb, int c) {
        return sb.append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10)).append((char) ('0' + c % 10));
    }

    public byte[] toBytes() {
        return toWire().getBytes(StandardCharsets.UTF_8);
    }

    /** Same reply with a different code and enhanced code, used when policy rewrites an answer. */
    public Reply withCode(int newCode, String newEnhanced) {
        return new Reply(newCode, newEnhanced, lines);
    }

    @Override
    public String toString() {
        String wire = toWire();
        return wire.substring(0, wire.length() - 2).replace("\r\n", "\\r\\n");
    }

}
