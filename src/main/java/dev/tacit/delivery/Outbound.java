package dev.tacit.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * One queued message as a transport sees it: the envelope sender to use (the message's, or a list
 * owner's), the MAIL parameters as received (BODY, SMTPUTF8, RET, ENVID), and the spooled body (CRLF
 * line ends, the Received: header included).
 */
public record Outbound(String queueId, String sender, String mailParams, long size, BodySource body) {

    /** Opens the spooled body; each delivery attempt reads it anew. */
    @FunctionalInterface
    public interface BodySource {
        InputStream open() throws IOException;
    }

    /**
     * One recipient of a delivery: the address to hand the message to, its RCPT DSN parameters as
     * given (NOTIFY, ORCPT; "" for none), and the envelope recipient it came from (for ORCPT when the
     * client gave none).
     */
    public record Recipient(String address, String dsnParams, String original) {}

    public boolean eightBit() {
        return has("BODY=8BITMIME");
    }

    public boolean smtputf8() {
        return has("SMTPUTF8");
    }

    private boolean has(String word) {
        for (String w : mailParams.split(" ")) {
            if (w.toUpperCase(Locale.ROOT).equals(word)) {
                return true;
            }
        }
        return false;
    }
}
