package dev.tacit.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * TLS material and the protocol policy Tacit uses for SMTP: a server key and certificate chain read
 * from PEM files, and TLS 1.2 and 1.3 only with the JDK's AEAD suites (forward secret key exchange,
 * no CBC, no static RSA).
 *
 * <p>Security: an encrypted private key is refused with a message (Tacit has nowhere safe to keep its
 * passphrase); a key that does not belong to the leaf certificate is refused at load time, not at
 * the first handshake. The key's bytes never leave this class except inside the {@link SSLContext}.
 *
 * <p>RFC 3207 (STARTTLS), RFC 8314 (implicit TLS), RFC 8996 (no TLS 1.0/1.1).
 */
public final class Tls {

    private Tls() {}

    /** The protocols Tacit speaks, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** A loaded key and its chain (leaf first). */
    public record Material(PrivateKey key, List<X509Certificate> chain) {
        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /**
     * Reads a PEM certificate chain (leaf first, then intermediates) and a PEM private key (PKCS#8
     * "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"); the message of the
     * exception names the file and what is wrong with it.
     */
    public static Material load(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = readChain(certFile);
        PrivateKey key = readKey(keyFile);
        if (!matches(key, chain.get(0))) {
            throw new IOException(keyFile + ": the private key does not belong to the first certificate in " + certFile);
        }
        return new Material(key, chain);
    }

    static List<X509Certificate> readChain(Path file) throws IOException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new IOException(file + ": not a PEM certificate chain (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new IOException(file + ": cannot read (" + e.getMessage() + ")");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no certificate found (expected -----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(out);
    }

    static PrivateKey readKey(Path file) throws IOException {
        Object o;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            o = p.readObject();
            // skip EC PARAMETERS blocks that openssl writes before an EC key
            while (o != null && !(o instanceof PEMKeyPair || o instanceof PrivateKeyInfo || o instanceof PEMEncryptedKeyPair
                    || o instanceof PKCS8EncryptedPrivateKeyInfo)) {
                o = p.readObject();
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read a PEM private key (" + e.getMessage() + ")");
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IOException(file + ": the private key is encrypted; give Tacit an unencrypted key readable only by its user");
        }
        if (o == null) {
            throw new IOException(file + ": no private key found (expected -----BEGIN PRIVATE KEY-----)");
        }
        try {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            return o instanceof PEMKeyPair kp ? conv.getKeyPair(kp).getPrivate() : conv.getPrivateKey((PrivateKeyInfo) o);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": unsupported private key (" + e.getMessage() + ")");
        }
    }

    /** Whether the key signs what the certificate's public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) throws IOException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> throw new IOException("unsupported key algorithm " + key.getAlgorithm());
        };
        try {
            byte[] probe = "tacit key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** A server SSLContext presenting this key and chain. */
    public static SSLContext serverContext(Material m) throws IOException {
        try {
            char[] pw = new char[16];
            SecureRandom rnd = new SecureRandom();
            for (int i = 0; i < pw.length; i++) {
                pw[i] = (char) ('a' + rnd.nextInt(26));
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", m.key(), pw, m.chain().toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, pw);
            Arrays.fill(pw, '\0');
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * TLS 1.2 and 1.3 only, and of the JDK's suites those with an AEAD cipher and forward secret key
     * exchange (every TLS 1.3 suite; ECDHE/DHE with GCM or ChaCha20-Poly1305 for 1.2), the server's
     * order preferred.
     */
    public static SSLParameters parameters(SSLContext ctx) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        List<String> supported = List.of(ctx.getSupportedSSLParameters().getProtocols());
        p.setProtocols(PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
        p.setCipherSuites(modernSuites(p.getCipherSuites()));
        p.setUseCipherSuitesOrder(true);
        return p;
    }

    static String[] modernSuites(String[] suites) {
        return Arrays.stream(suites).filter(Tls::modern).toArray(String[]::new);
    }

    static boolean modern(String suite) {
        if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
            return true; // TLS 1.3
        }
        if (suite.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")) {
            return true; // a signal, not a cipher (RFC 5746)
        }
        boolean forwardSecret = suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_");
        boolean aead = suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_");
        return forwardSecret && aead;
    }
}
