package io.haltsupervisor.pollers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warning events ({@code events.k8s.io/v1}, {@code reportingController: halt-supervisor}) on the objects the
 * pollers watch. Each event's name is derived from the object's uid and what is reported, so reporting the
 * same thing again is a no-op (the API answers 409, which is success here). Failing to write an event is
 * logged, never thrown: an event is a courtesy to operators, not part of the record (Kafka is).
 */
public final class WarningEvents {
    public static final String REPORTING_CONTROLLER = "halt-supervisor";
    private static final Logger LOG = LoggerFactory.getLogger(WarningEvents.class);
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int MAX_NOTE = 1024;

    private final KubernetesClient client;
    private final String reportingInstance;
    private final Clock clock;

    public WarningEvents(KubernetesClient client, String reportingInstance, Clock clock) {
        this.client = client;
        this.reportingInstance = reportingInstance;
        this.clock = clock;
    }

    /** The deterministic event name for {@code regarding} and a discriminator of what is reported. */
    public static String eventName(HasMetadata regarding, String discriminator) {
        String base = regarding.getMetadata().getName();
        String hash = sha256(regarding.getMetadata().getUid() + "|" + discriminator).substring(0, 16);
        String name = base.length() > 200 ? base.substring(0, 200) : base;
        return name + ".hs-" + hash;
    }

    /**
     * Writes a Warning event about {@code regarding}; true when written now, false when it existed already
     * or could not be written.
     */
    public boolean warn(HasMetadata regarding, String discriminator, String reason, String action, String note) {
        String name = eventName(regarding, discriminator);
        String namespace = regarding.getMetadata().getNamespace();
        String text = note.length() > MAX_NOTE ? note.substring(0, MAX_NOTE - 1) + "…" : note;
        Event event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withType("Warning")
                .withReason(reason)
                .withAction(action)
                .withNote(text)
                .withReportingController(REPORTING_CONTROLLER)
                .withReportingInstance(reportingInstance)
                .withEventTime(new MicroTime(MICRO.format(clock.instant())))
                .withRegarding(new ObjectReferenceBuilder()
                        .withApiVersion(regarding.getApiVersion() == null ? "v1" : regarding.getApiVersion())
                        .withKind(regarding.getKind())
                        .withName(regarding.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(regarding.getMetadata().getUid())
                        .build())
                .build();
        try {
            client.events().v1().events().inNamespace(namespace).resource(event).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            LOG.warn("could not write Warning event {} ({}) on {} {}/{}: {}", name, reason, regarding.getKind(),
                    namespace, regarding.getMetadata().getName(), e.getMessage());
            return false;
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
