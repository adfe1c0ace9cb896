package dev.tacit.policy;

import dev.tacit.directory.Directory;
import dev.tacit.directory.DirectoryUnavailableException;
import dev.tacit.directory.LocalDomains;
import dev.tacit.directory.PasswordHash;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Checks AUTH credentials against the directory: the login may be given as {@code user} or
 * {@code user@<local domain>}; the directory compares the password with its stored hash or, for LDAP,
 * binds as the user.
 *
 * <p>Security: a login that cannot exist here, an unknown user, a user without a hash and a wrong
 * password all cost one hash computation and end as {@link Status#BAD}, so neither the answer nor the
 * work tells them apart. Argon2id needs memory, so at most {@code auth.max_concurrent} checks run at
 * once; a check that cannot start within {@link #WAIT_SECONDS} is a temporary failure (454), not a
 * verdict. Proxy authorization (a PLAIN authzid naming someone else) is not supported and fails.
 *
 * <p>Config keys: auth.max_concurrent.
 */
public final class PasswordCheck {

    static final long WAIT_SECONDS = 10;

    public enum Status { OK, BAD, UNAVAILABLE }

    /** The verdict; {@code login} is the authenticated user's login when OK. */
    public record Result(Status status, String login) {}

    private final Directory directory;
    private final LocalDomains domains;
    private final Semaphore permits;

    public PasswordCheck(Directory directory, LocalDomains domains, int maxConcurrent) {
        this.directory = directory;
        this.domains = domains;
        this.permits = new Semaphore(maxConcurrent, true);
    }

    /**
     * @param authzid the identity to act as (empty or null: the authcid's own)
     * @param authcid the login the password belongs to
     */
    public Result check(String authzid, String authcid, byte[] password) {
        String login = login(authcid);
        boolean proxy = authzid != null && !authzid.isEmpty() && (login == null || !login.equals(login(authzid)));
        try {
            if (!permits.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                return new Result(Status.UNAVAILABLE, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Status.UNAVAILABLE, null);
        }
        try {
            if (login == null || proxy) {
                PasswordHash.burn(password);
                return new Result(Status.BAD, null);
            }
            boolean ok = directory.checkPassword(login, password);
            return ok ? new Result(Status.OK, login) : new Result(Status.BAD, null);
        } catch (DirectoryUnavailableException e) {
            return new Result(Status.UNAVAILABLE, null);
        } finally {
            permits.release();
        }
    }

    /** The local login an AUTH identity names, lower case, or null when it names nothing local. */
    String login(String identity) {
        if (identity == null) {
            return null;
        }
        String id = identity.strip();
        int at = id.lastIndexOf('@');
        if (at >= 0) {
            if (!domains.isLocal(id.substring(at + 1))) {
                return null;
            }
            id = id.substring(0, at);
        }
        if (id.isEmpty() || id.length() > 256) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c == 0x7f || "@,<>()\"\\;:".indexOf(c) >= 0) {
                return null;
            }
        }
        return id.toLowerCase(Locale.ROOT);
    }
}
