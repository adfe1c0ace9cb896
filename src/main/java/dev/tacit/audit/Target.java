package dev.tacit.audit;

/**
 * One SMTP service to audit: a host (name or address), a port and how TLS starts there. Port 465
 * means implicit TLS (RFC 8314 3.3); on every other port the auditor uses STARTTLS when offered.
 *
 * @param host   host name or IP address (IPv6 without brackets)
 * @param port   TCP port
 * @param implicitTls TLS before the greeting
 * @param domain the mail domain this host was found for (MX lookup), or null when given directly
 */
public record Target(String host, int port, boolean implicitTls, String domain) {

    public static final int SMTP = 25;
    public static final int SUBMISSION = 587;
    public static final int SUBMISSIONS = 465;

    public static Target of(String host, int port) {
        return new Target(host, port, port == SUBMISSIONS, null);
    }

    /** host:port as typed back to a user, IPv6 in brackets. */
    public String display() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The service URI used as the findings' location. */
    public String uri() {
        return (implicitTls ? "smtps://" : "smtp://") + display();
    }
}
