package io.haltsupervisor.actuator;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Map;

/**
 * The actuator as its own process, for the fault tests that kill it: configured from the environment as
 * {@code supervisor actuator} is ({@code ACTUATOR_*}, {@code KAFKA_*}), against the Kubernetes API at
 * {@code TEST_KUBE_URL}. After every cluster change it made (a step that changes the cluster, applied) and
 * before that change's result is recorded, it prints {@code ACTED <decisionId> <step>} and waits
 * {@code TEST_PAUSE_MS}: the window in which a test sends SIGKILL.
 */
public final class ActuatorChild {
    private ActuatorChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        long pause = Long.parseLong(env.getOrDefault("TEST_PAUSE_MS", "0"));
        KubernetesClient kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl(env.get("TEST_KUBE_URL")).withTrustCerts(true).build()).build();
        StepHook window = (decision, step, outcome) -> {
            // hold and rollout confirm a change (they write only to re-apply one that was set back): not a window
            if (step.changesCluster() && !(step instanceof io.haltsupervisor.actuator.plan.Step.ConfirmHold)
                    && !(step instanceof io.haltsupervisor.actuator.plan.Step.ConfirmRollout)
                    && outcome instanceof StepOutcome.Done done
                    && done.outcome() == io.haltsupervisor.schemas.ActionResultRecorded.Outcome.APPLIED) {
                System.out.println("ACTED " + decision.decisionId() + " " + step.name());
                System.out.flush();
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ActuatorService service = new ActuatorService(ActuatorConfig.fromEnv(env), KafkaClientConfig.fromEnv(env),
                new SimpleMeterRegistry(), kube, Clock.systemUTC(), Sleeper.SYSTEM, window);
        service.start();
        System.out.println("STARTED");
        System.out.flush();
        Thread.currentThread().join();
    }
}
