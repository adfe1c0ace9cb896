package dev.tacit.audit;

/** The three ways to ask an SMTP server whether a user exists (RFC 5321 3.5 and 4.1.1.3). */
public enum Method {
    VRFY, EXPN, RCPT
}
