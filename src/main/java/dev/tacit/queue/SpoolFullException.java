package dev.tacit.queue;

import java.io.IOException;

/** The spool's file system is full: answer 452 4.3.1, keep everything already accepted. */
public final class SpoolFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpoolFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
