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
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** EC and RSA certificates made with BouncyCastle for TLS in tests: self-signed ones, and a chain under a test root CA. */
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

    /** A root CA, an intermediate CA it signed, and a leaf the intermediate signed, with the leaf's key. */
    public record Chain(X509Certificate root, X509Certificate intermediate, X509Certificate leaf, KeyPair leafKeys) {}

    /**
     * Writes a three-level chain into dir: cert.pem (the leaf, then the intermediate, as a CA hands
     * them out), key.pem (the leaf's key, PKCS#8) and ca.pem (the root alone, what a client trusts).
     * The leaf is for {@code cn} and names it, and each of {@code dnsNames}, in subjectAltName.
     */
    public static Chain writeChain(Path dir, String cn, String... dnsNames) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair rootKeys = g.generateKeyPair();
        KeyPair midKeys = g.generateKeyPair();
        KeyPair leafKeys = g.generateKeyPair();
        X500Name rootName = new X500Name("CN=Tacit Test Root CA");
        X500Name midName = new X500Name("CN=Tacit Test Intermediate CA");
        X509Certificate root = signed(rootName, rootName, rootKeys.getPublic(), rootKeys, true, null);
        X509Certificate mid = signed(rootName, midName, midKeys.getPublic(), rootKeys, true, null);
        String[] names = new String[dnsNames.length + 1];
        names[0] = cn;
        System.arraycopy(dnsNames, 0, names, 1, dnsNames.length);
        X509Certificate leaf = signed(midName, new X500Name("CN=" + cn), leafKeys.getPublic(), midKeys, false, names);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cert.pem"), pem(leaf) + pem(mid));
        Files.writeString(dir.resolve("key.pem"), pem(new JcaPKCS8Generator(leafKeys.getPrivate(), null).generate()));
        Files.writeString(dir.resolve("ca.pem"), pem(root));
        return new Chain(root, mid, leaf, leafKeys);
    }

    /** The first certificate in a PEM file. */
    public static X509Certificate readFirst(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static X509Certificate signed(X500Name issuer, X500Name subject, java.security.PublicKey key, KeyPair issuerKeys, boolean ca,
            String[] dnsNames) throws Exception {
        long now = System.currentTimeMillis();
        var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                new Date(now - 60_000), new Date(now + 86_400_000L), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
        if (dnsNames != null) {
            GeneralName[] gn = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                gn[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(gn));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
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
