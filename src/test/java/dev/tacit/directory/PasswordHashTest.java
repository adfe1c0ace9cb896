package dev.tacit.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tacit.testing.External;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Password hashes: Tacit's Argon2id agrees with the reference implementation (Debian's argon2 tool,
 * from the authors of RFC 9106) in both directions, bcrypt verifies a published test vector, and
 * nothing malformed or too costly is ever accepted or computed.
 */
class PasswordHashTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The reference tool's PHC string for this password and salt. */
    private static String reference(String password, String salt, int t, int log2m, int p) throws Exception {
        Path argon2 = External.require("argon2");
        Process pr = new ProcessBuilder(argon2.toString(), salt, "-id", "-t", String.valueOf(t), "-m", String.valueOf(log2m), "-p",
                String.valueOf(p), "-e").start();
        pr.getOutputStream().write(b(password));
        pr.getOutputStream().close();
        assertThat(pr.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(pr.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void hashesFromTheReferenceImplementationVerify() throws Exception {
        for (String pw : new String[] {"secret", "pässwörd ✓", "x"}) {
            String ref = reference(pw, "somesaltsomesalt", 2, 10, 1);
            assertThat(ref).startsWith("$argon2id$v=19$m=1024,t=2,p=1$");
            assertThat(PasswordHash.supported(ref)).isTrue();
            assertThat(PasswordHash.verify(ref, b(pw))).as(pw).isTrue();
            assertThat(PasswordHash.verify(ref, b(pw + "!"))).isFalse();
        }
        String twoLanes = reference("lanes", "anothersaltvalue", 1, 12, 2);
        assertThat(PasswordHash.verify(twoLanes, b("lanes"))).isTrue();
    }

    @Test
    void tacitComputesWhatTheReferenceComputes() throws Exception {
        for (String pw : new String[] {"correct horse", "pässwörd ✓"}) {
            assertThat(PasswordHash.hash(b(pw), b("tacit-salt-16byt"), 1024, 2, 1)).isEqualTo(reference(pw, "tacit-salt-16byt", 2, 10, 1));
            assertThat(PasswordHash.hash(b(pw), b("othersaltvalue!!"), 4096, 3, 2)).isEqualTo(reference(pw, "othersaltvalue!!", 3, 12, 2));
        }
    }

    @Test
    void newHashesUseTheDefaultCostAndAFreshSalt() {
        String mine = PasswordHash.hash(b("correct horse"));
        assertThat(mine).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(PasswordHash.verify(mine, b("correct horse"))).isTrue();
        assertThat(PasswordHash.verify(mine, b("correct horsE"))).isFalse();
        assertThat(PasswordHash.hash(b("correct horse"))).isNotEqualTo(mine);
    }

    @Test
    void bcryptPublishedVectors() {
        // OpenBSD's and crypt_blowfish's test vectors
        assertThat(PasswordHash.verify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", b("U*U"))).isTrue();
        assertThat(PasswordHash.verify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", b("U*U*"))).isTrue();
        assertThat(PasswordHash.verify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", b("U*U*"))).isFalse();
        assertThat(PasswordHash.supported("$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isTrue();
    }

    @Test
    void malformedOrTooCostlyHashesAreRefusedWithoutComputing() {
        for (String bad : new String[] {null, "", "x", "secret", "$6$saltsalt$abcdefgh", "$argon2i$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",
                "$argon2id$v=16$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$OHc9SRN0/XEiuUUihEOCXBYjZ7cbpwHqG3uM3/Rhr/w",
                "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$OHc9SRN0/XEiuUUihEOCXBYjZ7cbpwHqG3uM3/Rhr/w",
                "$argon2id$v=19$m=1024,t=999,p=1$c29tZXNhbHRzb21lc2FsdA$OHc9SRN0/XEiuUUihEOCXBYjZ7cbpwHqG3uM3/Rhr/w",
                "$argon2id$v=19$m=1024,t=2,p=0$c29tZXNhbHRzb21lc2FsdA$OHc9SRN0/XEiuUUihEOCXBYjZ7cbpwHqG3uM3/Rhr/w",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe"}) {
            assertThat(PasswordHash.supported(bad)).as(String.valueOf(bad)).isFalse();
            assertThat(PasswordHash.verify(bad, b("secret"))).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void burnDoesTheWorkOfAVerificationAndAcceptsNothing() {
        PasswordHash.burn(b("anything"));
        PasswordHash.burn(new byte[0]);
    }
}
