package io.haltsupervisor.actuator;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haltsupervisor.sandbox.kafka.TopicContents;
import io.haltsupervisor.sandbox.kube.InMemoryKubernetes;
import io.haltsupervisor.schemas.ActionResultRecorded;
import io.haltsupervisor.schemas.ActionResultRecorded.Outcome;
import io.haltsupervisor.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the actuator's crash and outage tests (ActuatorKillIT, KubeApiOutageIT) share: their workload and counts. */
final class KillTestKit {
    private KillTestKit() {
    }

    /** A one-replica StatefulSet {@code name} running {@code image} and its pod {@code name-0}; the pod's UID. */
    static String workload(KubernetesClient client, String namespace, String name, String image) {
        client.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(1).withNewTemplate().withNewSpec()
                .addNewContainer().withName("seid").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        return client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name + "-0")
                .withNamespace(namespace).endMetadata().withNewSpec().addNewContainer().withName("seid")
                .withImage(image).endContainer().endSpec().build()).create().getMetadata().getUid();
    }

    /**
     * Requests with {@code method} whose path ends with {@code path} (query ignored) and whose body contains
     * {@code body}, that the API accepted (2xx, answered or not).
     */
    static int succeeded(InMemoryKubernetes kube, String method, String path, String body) {
        return (int) kube.requests().stream().filter(r -> r.method().equals(method)
                && r.path().split("\\?")[0].endsWith(path) && r.body().contains(body) && r.code() >= 200
                && r.code() < 300).count();
    }

    /** Final results ({@code applied}, {@code already-applied}, …, not {@code failed-retrying}) by "decision step". */
    static Map<String, List<ActionResultRecorded>> finalResults(String bootstrapServers) {
        Map<String, List<ActionResultRecorded>> out = new TreeMap<>();
        TopicContents.committedValues(bootstrapServers, Topics.ACTION_RESULTS).stream()
                .filter(a -> a.outcome() != Outcome.FAILED_RETRYING)
                .forEach(a -> out.computeIfAbsent(a.decisionId() + " " + a.step(), k -> new ArrayList<>()).add(a));
        return out;
    }
}
