package io.haltsupervisor.sandbox.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for the secured embedded broker, made in memory at start and written
 * under one directory: the CA certificate as a PKCS12 truststore and as PEM (for librdkafka's
 * {@code ssl.ca.location}), and PKCS12 keystores for the broker (a server certificate for {@code 127.0.0.1}
 * and {@code localhost}) and for each client (a certificate whose subject is {@code CN=<user>}).
 *
 * <p>Keys are EC P-256 (fast to make); certificates are valid for a day. Every store has its own random
 * password, which this class hands out but never logs. Nothing here is ever checked in: the directory is the
 * broker's temporary one, deleted when the broker closes.
 */
public final class TlsMaterial {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String KEY_ALGORITHM = "EC";
    private static final String CURVE = "secp256r1";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration VALIDITY = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate chain and its private key as PEM files (for librdkafka and OpenSSL tools). */
    public record PemFiles(Path certificate, Path privateKey) {
    }

    /** A PKCS12 store on disk and its password. */
    public record Store(Path path, String password) {
        public Store {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(password, "password");
        }

        /** The password is never printed. */
        @Override
        public String toString() {
            return "Store[" + path + "]";
        }
    }

    private final Path dir;
    private final String authorityName;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Store truststore;
    private final Path caPem;

    private TlsMaterial(Path dir, String authorityName, KeyPair caKeys, X509Certificate caCertificate,
            Store truststore, Path caPem) {
        this.dir = dir;
        this.authorityName = authorityName;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.truststore = truststore;
        this.caPem = caPem;
    }

    /**
     * Makes a new certificate authority named {@code CN=<authorityName>} and writes its truststore and PEM file
     * under {@code dir} (created if needed).
     */
    public static TlsMaterial newAuthority(Path dir, String authorityName) {
        checkName(authorityName);
        try {
            Files.createDirectories(dir);
            KeyPair keys = keyPair();
            X500Name subject = name(authorityName);
            X509v3CertificateBuilder builder = builder(subject, subject, keys);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate ca = sign(builder, keys);
            Store truststore = new Store(dir.resolve(authorityName + "-truststore.p12"), password());
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", ca);
            write(ts, truststore);
            Path pem = dir.resolve(authorityName + "-ca.pem");
            Files.writeString(pem, pem(ca), StandardCharsets.US_ASCII);
            return new TlsMaterial(dir, authorityName, keys, ca, truststore, pem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLS material under " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a certificate authority", e);
        }
    }

    /** The truststore holding this authority's certificate. */
    public Store truststore() {
        return truststore;
    }

    /** This authority's certificate as a PEM file. */
    public Path caPem() {
        return caPem;
    }

    /** The authority's subject, {@code CN=<name>}. */
    public String authorityName() {
        return authorityName;
    }

    /**
     * A keystore with a server certificate for {@code 127.0.0.1} and {@code localhost} (also usable as a client
     * certificate, subject {@code CN=<name>}), issued by this authority.
     */
    public Store serverKeystore(String name) {
        return keystore(name, true);
    }

    /** A keystore with a client certificate, subject {@code CN=<user>}, issued by this authority. */
    public Store clientKeystore(String user) {
        return keystore(user, false);
    }

    /**
     * A client certificate {@code CN=<user>} issued by this authority as PEM files: the certificate (then the CA's)
     * and the unencrypted PKCS#8 private key, readable by its owner only.
     */
    public PemFiles clientPem(String user) {
        checkName(user);
        try {
            KeyPair keys = keyPair();
            X509Certificate certificate = sign(leaf(name(user), keys, false), caKeys);
            Path cert = dir.resolve(user + "-" + authorityName + "-cert.pem");
            Files.writeString(cert, pem(certificate) + pem(caCertificate), StandardCharsets.US_ASCII);
            Path key = dir.resolve(user + "-" + authorityName + "-key.pem");
            Files.writeString(key, "", StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: left as created
            }
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64,
                    "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
            return new PemFiles(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PEM files under " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a certificate for " + user, e);
        }
    }

    private X509v3CertificateBuilder leaf(X500Name subject, KeyPair keys, boolean server)
            throws IOException, GeneralSecurityException {
        X509v3CertificateBuilder builder = builder(name(authorityName), subject, keys);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, server
                ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
                new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        return builder;
    }

    private Store keystore(String cn, boolean server) {
        checkName(cn);
        try {
            KeyPair keys = keyPair();
            X509v3CertificateBuilder builder = leaf(name(cn), keys, server);
            X509Certificate certificate = sign(builder, caKeys);
            Store store = new Store(dir.resolve(cn + "-" + authorityName + "-keystore.p12"), password());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(cn, keys.getPrivate(), store.password().toCharArray(),
                    new Certificate[] {certificate, caCertificate});
            write(ks, store);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a keystore under " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a certificate for " + cn, e);
        }
    }

    /** A random password for a store or a SCRAM user: 24 URL-safe characters. */
    public static String password() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("certificate name '" + name
                    + "' is not valid: expected 1-64 letters, digits, '.', '_' or '-'");
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(KEY_ALGORITHM);
        generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
        return generator.generateKeyPair();
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
    }

    private static void write(KeyStore store, Store where) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(where.path())) {
            store.store(out, where.password().toCharArray());
        }
    }

    private static String pem(X509Certificate certificate) throws GeneralSecurityException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded());
        return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    }

    @Override
    public String toString() {
        return "TlsMaterial[CN=" + authorityName + " in " + dir + "]";
    }
}
