package dev.tacit.audit;

/** The mail servers the fingerprinter knows, by the names reports use. */
public enum Mta {
    SENDMAIL("sendmail"), POSTFIX("Postfix"), EXIM("Exim"), OPENSMTPD("OpenSMTPD"), EXCHANGE("Microsoft Exchange"),
    JAMES("Apache James"), TACIT("Tacit"), UNKNOWN("unknown");

    private final String display;

    Mta(String display) {
        this.display = display;
    }

    public String display() {
        return display;
    }

    /** Lower-case id used in JSON ("sendmail", "postfix", ...). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
