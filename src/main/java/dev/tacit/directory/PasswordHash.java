package dev.tacit.directory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes for AUTH, kept in the directory: Argon2id (RFC 9106) in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}) for new hashes, and bcrypt
 * ({@code $2a$}, {@code $2b$}, {@code $2y$}) checked too, so hashes made by Dovecot's or Apache's
 * tools can be imported. Both come from BouncyCastle.
 *
 * <p>Security: comparisons are constant-time; a hash whose parameters would cost more than
 * {@link #MAX_MEMORY_KIB} or {@link #MAX_ITERATIONS} is refused rather than computed, so a bad directory
 * entry cannot exhaust the server's memory. {@link #burn} spends the same work on a user that does not
 * exist, so the time taken does not tell real logins from unknown ones. The defaults are OWASP's
 * Argon2id minimum (19 MiB, 2 passes, 1 lane).
 */
public final class PasswordHash {

    private PasswordHash() {}

    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;
    static final int MAX_MEMORY_KIB = 1024 * 1024;
    static final int MAX_ITERATIONS = 64;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private static final Pattern ARGON2ID =
            Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,})\\$([A-Za-z0-9+/]{16,})");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    /** A new Argon2id hash of the password with a random salt and the default cost. */
    public static String hash(byte[] password) {
        return hash(password, MEMORY_KIB, ITERATIONS, PARALLELISM);
    }

    public static String hash(byte[] password, int memoryKib, int iterations, int parallelism) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return hash(password, salt, memoryKib, iterations, parallelism);
    }

    /** With a given salt: only for comparing with other implementations. */
    static String hash(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism) {
        byte[] out = argon2(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$" + B64.encodeToString(salt) + "$"
                + B64.encodeToString(out);
    }

    /** Whether a stored string is a hash this class can check (for loaders: refuse anything else). */
    public static boolean supported(String stored) {
        if (stored == null) {
            return false;
        }
        Matcher m = ARGON2ID.matcher(stored);
        if (m.matches()) {
            return parametersOk(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        }
        return BCRYPT.matcher(stored).matches();
    }

    /** Whether the password matches the stored hash; false for a malformed or unsupported hash. */
    public static boolean verify(String stored, byte[] password) {
        if (stored == null) {
            return false;
        }
        Matcher m = ARGON2ID.matcher(stored);
        if (m.matches()) {
            long mem = Long.parseLong(m.group(1));
            long t = Long.parseLong(m.group(2));
            long p = Long.parseLong(m.group(3));
            if (!parametersOk(mem, t, p)) {
                return false;
            }
            byte[] salt;
            byte[] expected;
            try {
                salt = Base64.getDecoder().decode(m.group(4));
                expected = Base64.getDecoder().decode(m.group(5));
            } catch (IllegalArgumentException e) {
                return false;
            }
            byte[] got = argon2(password, salt, (int) mem, (int) t, (int) p, expected.length);
            return MessageDigest.isEqual(got, expected);
        }
        if (BCRYPT.matcher(stored).matches()) {
            // bcrypt reads at most 72 bytes; BouncyCastle refuses longer input, so cut it as OpenBSD does
            byte[] pw = password.length > 72 ? java.util.Arrays.copyOf(password, 72) : password;
            try {
                return OpenBSDBCrypt.checkPassword(stored, pw);
            } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
                return false;
            }
        }
        return false;
    }

    private static boolean parametersOk(long mem, long t, long p) {
        return p >= 1 && p <= 16 && t >= 1 && t <= MAX_ITERATIONS && mem >= 8 * p && mem <= MAX_MEMORY_KIB;
    }

    private static volatile String dummy;

    /**
     * Spends the work of one default verification, for a login that has no hash: unknown users and
     * wrong passwords then cost the server (and the client's wait) the same.
     */
    public static void burn(byte[] password) {
        String d = dummy;
        if (d == null) {
            d = hash("tacit-dummy".getBytes(StandardCharsets.US_ASCII));
            dummy = d;
        }
        verify(d, password);
    }

    private static byte[] argon2(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(params);
        byte[] out = new byte[length];
        g.generateBytes(password, out);
        return out;
    }
}
