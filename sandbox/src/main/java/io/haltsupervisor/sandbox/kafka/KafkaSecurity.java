package io.haltsupervisor.sandbox.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The certificates, SCRAM users, client settings and ACLs of a {@link EmbeddedKafka#secured() secured} embedded
 * broker. Certificates are made at start under the broker's temporary directory ({@link TlsMaterial}); SCRAM
 * users are created through the Admin API ({@code alterUserScramCredentials}); ACLs are created and deleted
 * through it too, each call returning once the broker enforces the change.
 *
 * <p>Principals: a client certificate {@code CN=<user>} and a SCRAM user {@code <user>} are both
 * {@code User:<user>} ({@code ssl.principal.mapping.rules}), so one ACL list serves either mechanism.
 * {@code User:broker} (the broker's own traffic) and {@code User:admin} (set-up only: topics, users, ACLs) are
 * the only super users. Passwords are handed out, never logged.
 */
public final class KafkaSecurity {
    /** The SASL mechanism of the {@code SASL_SSL} listener. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    /** The broker's own principal name (its certificate's CN), a super user. */
    public static final String BROKER_PRINCIPAL = "broker";
    /** The set-up principal (a client certificate), a super user: creates topics, users and ACLs. */
    public static final String SUPER_USER = "admin";

    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(30);
    private static final String PKCS12 = "PKCS12";

    private final TlsMaterial authority;
    private final TlsMaterial.Store brokerKeystore;
    private final TlsMaterial.Store adminKeystore;
    private final String saslBootstrap;
    private final String sslBootstrap;
    private volatile Admin admin;

    KafkaSecurity(Path dir, String saslBootstrap, String sslBootstrap) {
        this.authority = TlsMaterial.newAuthority(dir, "embedded-kafka-ca");
        this.brokerKeystore = authority.serverKeystore(BROKER_PRINCIPAL);
        this.adminKeystore = authority.clientKeystore(SUPER_USER);
        this.saslBootstrap = saslBootstrap;
        this.sslBootstrap = sslBootstrap;
    }

    /** The broker's TLS settings: its keystore, the CA as truststore, client certificates required. */
    Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>(keystore(brokerKeystore));
        p.putAll(truststore());
        p.put("ssl.client.auth", "required");
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
        return p;
    }

    /**
     * Client settings of the set-up super user (mutual TLS on the {@code SSL} listener), {@code bootstrap.servers}
     * included: for creating topics and reading what components wrote, never for a component under test.
     */
    public Map<String, String> superUserProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, sslBootstrap);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        p.putAll(keystore(adminKeystore));
        p.putAll(truststore());
        return p;
    }

    void connect(Admin superUserAdmin) {
        this.admin = superUserAdmin;
    }

    /** The certificate authority every listener's certificate is issued by. */
    public TlsMaterial authority() {
        return authority;
    }

    /** {@code 127.0.0.1:PORT} of the {@code SASL_SSL} (SCRAM-SHA-512) listener. */
    public String saslBootstrapServers() {
        return saslBootstrap;
    }

    /** {@code 127.0.0.1:PORT} of the {@code SSL} listener (client certificate required). */
    public String sslBootstrapServers() {
        return sslBootstrap;
    }

    /**
     * Creates (or resets) the SCRAM-SHA-512 user with a fresh random password and returns once the broker accepts
     * it.
     *
     * @return the client settings for the {@code SASL_SSL} listener, {@code bootstrap.servers} included
     */
    public Map<String, String> scramUser(String user) {
        String password = TlsMaterial.password();
        try {
            admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
                    .all().get(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the SCRAM user " + user, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the SCRAM user " + user, e);
        }
        Map<String, String> client = scramClient(user, password);
        awaitAuthenticates(client, "SCRAM user " + user);
        return client;
    }

    /** Client settings for the {@code SASL_SSL} listener with the given credentials (right or wrong). */
    public Map<String, String> scramClient(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, SCRAM_MECHANISM);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + user + "\" password=\"" + password + "\";");
        p.putAll(truststore());
        return p;
    }

    /**
     * Makes a client certificate {@code CN=<user>} issued by the broker's CA.
     *
     * @return the client settings for the {@code SSL} listener, {@code bootstrap.servers} included
     */
    public Map<String, String> tlsUser(String user) {
        return tlsClient(authority.clientKeystore(user));
    }

    /**
     * Client settings for the {@code SSL} listener with a certificate {@code CN=<user>} from another CA, which the
     * broker does not trust.
     */
    public Map<String, String> untrustedTlsUser(String user) {
        TlsMaterial rogue = TlsMaterial.newAuthority(authority.truststore().path().getParent().resolve("untrusted"),
                "untrusted-ca");
        return tlsClient(rogue.clientKeystore(user));
    }

    private Map<String, String> tlsClient(TlsMaterial.Store keystore) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, sslBootstrap);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        p.putAll(keystore(keystore));
        p.putAll(truststore());
        return p;
    }

    /** Creates the ACLs and returns once the broker enforces them. */
    public void addAcls(Collection<AclBinding> acls) {
        try {
            admin().createAcls(acls).all().get(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create ACLs " + acls, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        }
        awaitAcls(present -> present.containsAll(acls), "created: " + acls);
    }

    /** Deletes the ACLs and returns once the broker no longer grants them. */
    public void removeAcls(Collection<AclBinding> acls) {
        try {
            admin().deleteAcls(acls.stream().map(AclBinding::toFilter).toList()).all()
                    .get(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot delete ACLs " + acls, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting ACLs", e);
        }
        awaitAcls(present -> acls.stream().noneMatch(present::contains), "deleted: " + acls);
    }

    /** Every ACL the broker holds. */
    public Set<AclBinding> acls() {
        try {
            return new HashSet<>(admin().describeAcls(AclBindingFilter.ANY).values()
                    .get(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list ACLs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing ACLs", e);
        }
    }

    /** Deletes every ACL (between tests sharing one broker). */
    public void removeAllAcls() {
        removeAcls(acls());
    }

    /**
     * Writes client settings as a Java properties file (for {@code KAFKA_CLIENT_PROPERTIES}, {@code kafka-*.sh
     * --command-config}); the file holds secrets, so only its owner may read it.
     */
    public static Path writeProperties(Map<String, String> client, Path file) {
        Properties p = new Properties();
        p.putAll(client);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(out, "Kafka client settings of the embedded secured broker");
            }
            ownerOnly(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /**
     * Writes librdkafka settings ({@code kcat -F FILE}) for a SCRAM user: {@code SASL_SSL}, SCRAM-SHA-512 and the
     * CA as a PEM file; only its owner may read the file.
     */
    public Path writeLibrdkafkaProperties(String user, String password, Path file) {
        String text = "# librdkafka (kcat -F) settings of the embedded secured broker\n"
                + "bootstrap.servers=" + saslBootstrap + "\n"
                + "security.protocol=SASL_SSL\n"
                + "sasl.mechanisms=" + SCRAM_MECHANISM + "\n"
                + "sasl.username=" + user + "\n"
                + "sasl.password=" + password + "\n"
                + "ssl.ca.location=" + authority.caPem().toAbsolutePath() + "\n";
        return writeOwnerOnly(file, text);
    }

    /**
     * Writes librdkafka settings ({@code kcat -F FILE}) for a client certificate {@code CN=<user>} on the {@code SSL}
     * listener: the certificate, its private key and the CA as PEM files; only its owner may read the files. (SCRAM
     * through librdkafka needs librdkafka 2.6.1 or later against a Kafka 4 broker; mutual TLS works with any.)
     */
    public Path writeLibrdkafkaTlsProperties(String user, Path file) {
        TlsMaterial.PemFiles pem = authority.clientPem(user);
        String text = "# librdkafka (kcat -F) settings of the embedded secured broker: mutual TLS as " + user + "\n"
                + "bootstrap.servers=" + sslBootstrap + "\n"
                + "security.protocol=SSL\n"
                + "ssl.ca.location=" + authority.caPem().toAbsolutePath() + "\n"
                + "ssl.certificate.location=" + pem.certificate().toAbsolutePath() + "\n"
                + "ssl.key.location=" + pem.privateKey().toAbsolutePath() + "\n";
        return writeOwnerOnly(file, text);
    }

    /** Writes {@code text} to {@code file}, readable by its owner only (it may hold a password or a key's path). */
    private static Path writeOwnerOnly(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            ownerOnly(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: left as created
        }
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            throw new IllegalStateException("the secured embedded Kafka is not running");
        }
        return a;
    }

    private void awaitAcls(java.util.function.Predicate<Set<AclBinding>> done, String what) {
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (!done.test(acls())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not apply the ACL change within " + CHANGE_TIMEOUT
                        + " (" + what + ")");
            }
            TopicCreator.pause();
        }
    }

    private static void awaitAuthenticates(Map<String, String> client, String what) {
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        Map<String, Object> props = new LinkedHashMap<>(client);
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin probe = Admin.create(props)) {
                probe.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes()
                        .get(6, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
            TopicCreator.pause();
        }
        throw new IllegalStateException("the broker did not accept " + what + " within " + CHANGE_TIMEOUT, last);
    }

    private static Map<String, String> keystore(TlsMaterial.Store store) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, PKCS12);
        p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, store.path().toString());
        p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, store.password());
        p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, store.password());
        return p;
    }

    private Map<String, String> truststore() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, PKCS12);
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, authority.truststore().path().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, authority.truststore().password());
        return p;
    }

    @Override
    public String toString() {
        return "KafkaSecurity[SASL_SSL " + saslBootstrap + ", SSL " + sslBootstrap + ", " + authority + "]";
    }
}
