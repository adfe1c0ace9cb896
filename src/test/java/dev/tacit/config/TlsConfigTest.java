package dev.tacit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tacit.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [tls], [auth] and the submission listeners: defaults, and one-line errors that name the line and key. */
class TlsConfigTest {

    @TempDir
    Path dir;

    private TacitConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, dir.resolve("tacit.toml"));
    }

    @Test
    void offByDefault() throws Exception {
        TacitConfig c = parse("hostname = \"mx.example.com\"\n");
        assertThat(c.tls().enabled()).isFalse();
        assertThat(c.auth().submission()).isEmpty();
        assertThat(c.auth().submissions()).isEmpty();
        assertThat(c.auth().mechanisms()).containsExactly("PLAIN", "LOGIN");
        assertThat(c.auth().onListen()).isFalse();
        assertThat(c.auth().latency()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.tls().handshakeTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aWorkingSetup() throws Exception {
        TestCerts.writePem(dir.resolve("tls"), "mx.example.com", "RSA", true);
        TacitConfig c = parse("submission = [\"0.0.0.0:587\"]\nsubmissions = [\"[::]:465\"]\n[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/key.pem\"\n"
                + "[auth]\nmechanisms = [\"plain\"]\non_listen = true\n");
        assertThat(c.tls().cert()).isEqualTo(dir.resolve("tls/cert.pem"));
        assertThat(c.auth().submission()).containsExactly(new TacitConfig.ListenAddress("0.0.0.0", 587));
        assertThat(c.auth().submissions()).containsExactly(new TacitConfig.ListenAddress("::", 465));
        assertThat(c.auth().mechanisms()).containsExactly("PLAIN");
    }

    @Test
    void mistakesNameTheirLine() throws Exception {
        TestCerts.writePem(dir.resolve("a"), "mx.example.com", "EC", false);
        TestCerts.writePem(dir.resolve("b"), "mx.example.com", "EC", false);
        Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        assertThatThrownBy(() -> parse("[tls]\ncert = \"a/cert.pem\"\n"))
                .hasMessageEndingWith(":2: key 'tls.cert': tls.cert and tls.key go together: set both or neither");
        assertThatThrownBy(() -> parse("submission = [\"127.0.0.1:587\"]\n"))
                .hasMessageEndingWith(":1: key 'submission': needs tls.cert and tls.key: AUTH is only offered over TLS");
        assertThatThrownBy(() -> parse("[auth]\non_listen = true\n"))
                .hasMessageEndingWith(":2: key 'auth.on_listen': needs tls.cert and tls.key: AUTH is only offered over TLS");
        assertThatThrownBy(() -> parse("[tls]\ncert = \"a/cert.pem\"\nkey = \"b/key.pem\"\n"))
                .hasMessageEndingWith(":3: key 'tls.key': " + dir.resolve("b/key.pem") + ": the private key does not belong to the first certificate in "
                        + dir.resolve("a/cert.pem"));
        assertThatThrownBy(() -> parse("[tls]\ncert = \"garbage.pem\"\nkey = \"a/key.pem\"\n"))
                .hasMessageContaining(":2: key 'tls.cert': " + dir.resolve("garbage.pem") + ": ");
        assertThatThrownBy(() -> parse("[tls]\ncert = \"a/cert.pem\"\nkey = \"a/missing.pem\"\n"))
                .hasMessageContaining(":3: key 'tls.key': " + dir.resolve("a/missing.pem"));
        assertThatThrownBy(() -> parse("[tls]\ncert = \"a/cert.pem\"\nkey = \"a/key.pem\"\n[auth]\nmechanisms = [\"PLAIN\", \"CRAM-MD5\"]\n"))
                .hasMessageEndingWith(":5: key 'auth.mechanisms': \"CRAM-MD5\" is not one of [PLAIN, LOGIN]");
        assertThatThrownBy(() -> parse("[tls]\ncert = \"a/cert.pem\"\nkey = \"a/key.pem\"\n[auth]\nmechanisms = []\n"))
                .hasMessageEndingWith(":5: key 'auth.mechanisms': needs at least one mechanism");
        assertThatThrownBy(() -> parse("submissions = [\"localhost\"]\n")).hasMessageContaining(":1: key 'submissions': \"localhost\": expected host:port");
    }

    @Test
    void anEncryptedKeyIsRefusedWithAReason() throws Exception {
        TestCerts.Pair p = TestCerts.writePem(dir, "mx.example.com", "EC", false);
        var enc = new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(p.keys().getPrivate(),
                new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword("pw".toCharArray()).build());
        Files.writeString(dir.resolve("key.pem"), TestCerts.pem(enc.generate()));
        assertThatThrownBy(() -> parse("[tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n"))
                .hasMessageContaining(":3: key 'tls.key': " + dir.resolve("key.pem") + ": the private key is encrypted");
    }
}
