package dev.tacit.testing;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed EC certificates made with BouncyCastle, for TLS in tests. */
public final class TestCerts {

    private TestCerts() {}

    /** A key pair and its self-signed certificate. */
    public record Pair(KeyPair keys, X509Certificate cert) {}

    /** A fresh self-signed certificate for this name; RSA or EC ("secp256r1"). */
    public static Pair selfSigned(String cn, String keyType) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(keyType.equals("RSA") ? "RSA" : "EC");
        if (keyType.equals("RSA")) {
            g.initialize(2048);
        } else {
            g.initialize(new ECGenParameterSpec("secp256r1"));
        }
        KeyPair kp = g.generateKeyPair();
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=" + cn);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                new Date(now - 60_000), new Date(now + 86_400_000L), name, kp.getPublic());
        String alg = keyType.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())));
        return new Pair(kp, cert);
    }

    /**
     * Writes cert.pem and key.pem for a new certificate into dir and returns it. The key is written
     * as PKCS#8 ("PRIVATE KEY"), or in the older per-algorithm form ("EC PRIVATE KEY", "RSA PRIVATE
     * KEY") when {@code legacyKey} is set, as openssl and certbot write them.
     */
    public static Pair writePem(Path dir, String cn, String keyType, boolean legacyKey) throws Exception {
        Pair p = selfSigned(cn, keyType);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cert.pem"), pem(p.cert()));
        Files.writeString(dir.resolve("key.pem"), legacyKey ? pem(p.keys()) : pem(new JcaPKCS8Generator(p.keys().getPrivate(), null).generate()));
        return p;
    }

    public static String pem(Object o) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    /** A client socket factory that accepts any certificate and records the one it saw. */
    public static SSLSocketFactory trustAll(X509Certificate[] seen, String... protocols) throws Exception {
        X509TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                if (seen != null && seen.length > 0) {
                    seen[0] = chain[0];
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, new SecureRandom());
        SSLSocketFactory f = ctx.getSocketFactory();
        if (protocols.length == 0) {
            return f;
        }
        return new javax.net.ssl.SSLSocketFactory() {
            private java.net.Socket limit(java.net.Socket s) {
                ((javax.net.ssl.SSLSocket) s).setEnabledProtocols(protocols);
                return s;
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return f.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return f.getSupportedCipherSuites();
            }

            @Override
            public java.net.Socket createSocket(java.net.Socket s, String host, int port, boolean autoClose) throws java.io.IOException {
                return limit(f.createSocket(s, host, port, autoClose));
            }

            @Override
            public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
                return limit(f.createSocket(host, port));
            }

            @Override
            public java.net.Socket createSocket(String host, int port, java.net.InetAddress la, int lp) throws java.io.IOException {
                return limit(f.createSocket(host, port, la, lp));
            }

            @Override
            public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
                return limit(f.createSocket(host, port));
            }

            @Override
            public java.net.Socket createSocket(java.net.InetAddress a, int port, java.net.InetAddress la, int lp) throws java.io.IOException {
                return limit(f.createSocket(a, port, la, lp));
            }
        };
    }

    /** A server SSLContext with a fresh self-signed certificate for this name. */
    public static SSLContext server(String cn) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=" + cn);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                new Date(now - 60_000), new Date(now + 86_400_000L), name, kp.getPublic());
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "test".toCharArray();
        ks.setKeyEntry("server", kp.getPrivate(), pw, new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
        return ctx;
    }
}
