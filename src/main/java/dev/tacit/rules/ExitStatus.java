package dev.tacit.rules;

/**
 * The sysexits.h values sendmail's rewrite engine returns, and which {@code $#error $@ word} maps to
 * (sendmail-privacy.md 7.2 point 6).
 */
public final class ExitStatus {

    private ExitStatus() {}

    public static final int OK = 0;
    public static final int USAGE = 64;
    public static final int DATAERR = 65;
    public static final int NOUSER = 67;
    public static final int NOHOST = 68;
    public static final int UNAVAILABLE = 69;
    public static final int SOFTWARE = 70;
    public static final int TEMPFAIL = 75;
    public static final int PROTOCOL = 76;
    public static final int NOPERM = 77;
    public static final int CONFIG = 78;

    /** The {@code $@} word of an error triple: usage, nouser, ..., else unavailable. */
    static int fromWord(String w) {
        return switch (Token.lowerAscii(w)) {
            case "usage" -> USAGE;
            case "nouser" -> NOUSER;
            case "nohost" -> NOHOST;
            case "unavailable" -> UNAVAILABLE;
            case "software" -> SOFTWARE;
            case "tempfail" -> TEMPFAIL;
            case "protocol" -> PROTOCOL;
            case "config" -> CONFIG;
            default -> UNAVAILABLE;
        };
    }

    /**
     * A DSN such as 5.1.1 as an exit status: 2.x.x is OK and 4.x.x a temporary failure. sendmail maps
     * 5.x.x by subject and detail; Tacit does not need that distinction (it has no effect on a VRFY or
     * EXPN reply), so every other class is "unavailable".
     */
    static int fromDsn(String dsn) {
        if (dsn.startsWith("2")) {
            return OK;
        }
        if (dsn.startsWith("4")) {
            return TEMPFAIL;
        }
        return UNAVAILABLE;
    }
}
