package dev.tacit.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The wire side of SASL for AUTH (RFC 4954 4): strict base64 of client responses, and the messages of
 * the PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) mechanisms. Pure functions; what the
 * credentials are worth is the policy's question.
 *
 * <p>Security: the password stays bytes (so the caller can wipe it) and is never part of an exception
 * message; identities must be UTF-8 without NUL or control characters.
 */
public final class Sasl {

    private Sasl() {}

    /** RFC 4616 2: each field at most 255 octets. */
    static final int MAX_FIELD = 255;

    /** What a client sent: the identity to act as (may be empty), the login and the password. */
    public record Credentials(String authzid, String authcid, byte[] password) {
        @Override
        public String toString() {
            return "Credentials[authcid=" + authcid + "]";
        }
    }

    /** The RFC 4954 4 meaning of a response line: "*" cancels, "=" is an empty response. */
    public static boolean cancelled(String line) {
        return line.equals("*");
    }

    /**
     * Decodes a client response; null when it is not canonical base64 (RFC 4954 4: the server must
     * reject it with 501). "=" stands for an empty response.
     */
    public static byte[] decode(String response) {
        if (response.equals("=")) {
            return new byte[0];
        }
        if (response.isEmpty() || response.length() % 4 != 0) {
            return null;
        }
        for (int i = 0; i < response.length(); i++) {
            char c = response.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return null;
            }
        }
        try {
            return Base64.getDecoder().decode(response);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The PLAIN message {@code [authzid] NUL authcid NUL passwd}; null when malformed. */
    public static Credentials plain(byte[] message) {
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (first < 0 || second < 0 || indexOf(message, second + 1) >= 0) {
            return null;
        }
        String authzid = text(Arrays.copyOfRange(message, 0, first));
        String authcid = text(Arrays.copyOfRange(message, first + 1, second));
        byte[] password = Arrays.copyOfRange(message, second + 1, message.length);
        if (authzid == null || authcid == null || authcid.isEmpty() || password.length == 0 || password.length > MAX_FIELD) {
            return null;
        }
        return new Credentials(authzid, authcid, password);
    }

    /** The LOGIN mechanism's user name, as UTF-8 text; null when it is not acceptable. */
    public static String loginName(byte[] response) {
        String s = text(response);
        return s == null || s.isEmpty() ? null : s;
    }

    /** A field as UTF-8 text without control characters and at most 255 octets; null otherwise. */
    static String text(byte[] b) {
        if (b.length > MAX_FIELD) {
            return null;
        }
        for (byte x : b) {
            if ((x >= 0 && x < 0x20) || x == 0x7f) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
