/**
 * The end-to-end suite: every halt scenario, from a {@code seid}'s {@code /status} (or its exit code) to the
 * cluster and the pager — the suite we trust before every release (issue 8; the original request's last "done"
 * criterion). Failsafe runs it with the other {@code *IT}s of {@code cli}:
 * {@code mvn -B -o -pl cli verify -Dit.test='io/haltsupervisor/cli/e2e/*IT' -Dtest=none}.
 *
 * <h2>Harness</h2>
 * {@link io.haltsupervisor.cli.e2e.E2eStack} starts, per test class: an embedded KRaft broker with every topic
 * (3 partitions); the sandbox's in-memory Kubernetes API with the SeiNode CRD and the image-mapping ConfigMap; a
 * {@link io.haltsupervisor.sandbox.fleet.SimulatedFleet} per test (SeiNode and StatefulSet controllers and a
 * kubelet, crash-loop back-off included) whose simulated {@code seid}s serve {@code /status} over loopback HTTP;
 * a loopback PagerDuty Events API v2 receiver; a real Alertmanager (the Debian {@code prometheus-alertmanager}
 * binary, required: CI installs it); and the pollers, decider and actuator started by
 * {@link io.haltsupervisor.cli.Components#start} from an environment map, exactly as {@code supervisor all}
 * starts them (threads in this JVM). Operator actions go through the real CLI ({@code supervisor release …}) and
 * the mapping ConfigMap. Intervals are short (poll 200 ms, fleet tick 200 ms, blocks 100 ms, crash-loop back-off
 * from 100 ms); every wait is an Awaitility condition with a generous ceiling
 * ({@link io.haltsupervisor.cli.e2e.E2eStack#PATIENCE}), never a sleep.
 *
 * <p>What each scenario asserts, through {@link io.haltsupervisor.cli.e2e.TopicLog} (a {@code read_committed}
 * consumer from offset 0, caught up to the last stable offset before any count), the cluster
 * ({@link io.haltsupervisor.cli.e2e.ClusterView}, which also records every {@code Upgrading} condition an object
 * carried) and the pagers:
 * <ul>
 *   <li>the node's decision log is <em>exactly</em> the story's decision ids, in order — ids are deterministic
 *       ({@code incident/kind/seq}), so this is "one decision per incident" where the story has one, and the exact
 *       sequence with no duplicate where it has several by design (await → upgrade → resolve; quarantine →
 *       operator release → resolve);</li>
 *   <li>each decision's steps and their final outcomes, exactly;</li>
 *   <li>the cluster: images, pods (deleted and recreated, or left alone), pause / replicas, the condition's
 *       history, the supervisor's events;</li>
 *   <li>pages: PagerDuty events per dedup key (one trigger per incident page) and Alertmanager's active alerts;</li>
 *   <li>no dead letter and no unreadable record on any topic.</li>
 * </ul>
 *
 * <h2>Classes</h2>
 * Configurations that differ need their own stack — the topic names are fixed, so two deciders or two actuators
 * on one broker would both act on every record:
 * <ul>
 *   <li>{@link io.haltsupervisor.cli.e2e.HaltScenariosIT}: scenarios 1 (SeiNode and StatefulSet), 2, 3, 4, 5
 *       (SeiNode and StatefulSet), 6, 7, 8 and 10, on one stack with the breaker out of reach and an explicit
 *       image allow-list;</li>
 *   <li>{@link io.haltsupervisor.cli.e2e.DryRunIT}: scenario 9 ({@code ACTUATOR_DRY_RUN=true});</li>
 *   <li>{@link io.haltsupervisor.cli.e2e.FleetBreakerIT}: scenario 11 (breaker threshold 3).</li>
 * </ul>
 *
 * <h2>What the stand-ins are not</h2>
 * <ul>
 *   <li><b>The Kubernetes API is fabric8's CRUD mock</b> ({@link io.haltsupervisor.sandbox.kube.InMemoryKubernetes}),
 *       not an API server: no admission, RBAC or CRD schema validation, no garbage collection through owner
 *       references, no strategic merge or server-side apply, resourceVersion conflicts only as fabric8 checks
 *       them. It does answer a failed JSON Patch {@code test} with 422 and enforce delete preconditions, as a real
 *       one does. RBAC is checked separately against the manifests (actuator's {@code RbacIT}, the deploy
 *       tests); run against a real cluster (kind) before trusting anything that depends on the rest.</li>
 *   <li><b>Controllers and kubelet are simulated</b>: the SeiNode controller only carries {@code spec.image} and
 *       {@code spec.paused} into an {@code OnDelete} StatefulSet; the kubelet writes pod status at each tick, so
 *       very fast changes within one tick are coalesced, and a stopped process answers {@code /status} with 503
 *       instead of refusing the connection. Halts come from a toy chain model
 *       ({@link io.haltsupervisor.sandbox.fleet.ChainModel}); reserved codes are forced
 *       ({@link io.haltsupervisor.sandbox.fleet.SimulatedNode#forceHalt}).</li>
 *   <li><b>PagerDuty is a loopback receiver</b> that validates events as far as the Events API v2 documents;
 *       nothing is deduplicated, escalated or delivered. Alertmanager is real but alone (no HA peers), its
 *       receiver sends nothing: the suite asserts the alerts it holds as active.</li>
 *   <li>Everything runs in one JVM on one broker with replication factor 1, nothing is killed: crash and restart
 *       behaviour is the components' own ITs' business (e.g. the actuator's {@code ActuatorServiceIT}), not
 *       this suite's.</li>
 * </ul>
 */
package io.haltsupervisor.cli.e2e;
