/**
 * The pollers: where the real world enters the supervisor (docs/requirements.md §1, §5). Liberal in what they accept,
 * exact in what they publish.
 *
 * <h2>Parts</h2>
 * <ul>
 *   <li><b>Status poller</b> ({@link io.haltsupervisor.pollers.status.StatusPoller}): polls every watched pod's
 *       Tendermint {@code /status} ({@link io.haltsupervisor.pollers.status.StatusFetcher}: keep-alive, timeouts, a
 *       1 MiB cap), reads it ({@link io.haltsupervisor.pollers.status.StatusParser}, pure and total) and publishes on
 *       change ({@link io.haltsupervisor.pollers.status.StatusTracker}): {@code HaltObserved} when an intent appears
 *       or changes; {@code NodeStatusObserved} first-seen, recovered, version-changed and as a heartbeat.</li>
 *   <li><b>Pod watcher</b> ({@link io.haltsupervisor.pollers.pods.PodWatcher}): exit codes 70–89 of the
 *       {@code seid} container become exit-code {@code HaltObserved}s, once per terminated container instance;
 *       image/readiness changes and deletions become {@code PodStateObserved}s; cosmovisor is flagged
 *       ({@link io.haltsupervisor.pollers.pods.PodStateTracker}).</li>
 *   <li><b>Mapping sync</b> ({@link io.haltsupervisor.pollers.mappings.MappingSync}): labelled ConfigMaps → the
 *       compacted image-mapping topic, with tombstones; format in
 *       {@link io.haltsupervisor.pollers.mappings.ImageMappingFormat}, rules in
 *       {@link io.haltsupervisor.pollers.mappings.MappingReconciler}.</li>
 *   <li><b>CLI back-ends</b>: {@link io.haltsupervisor.pollers.status.StatusProbe} ({@code supervisor probe URL}) and
 *       {@link io.haltsupervisor.pollers.mappings.MappingAdmin} ({@code supervisor mapping put|rm|ls}).</li>
 * </ul>
 * {@link io.haltsupervisor.pollers.PollersService} runs the three with one idempotent producer; settings in
 * {@link io.haltsupervisor.pollers.PollersConfig}.
 *
 * <h2>Node identity</h2>
 * Every record is keyed by node id {@code namespace/name}. For a pod, name is, following controller
 * {@code ownerReferences} ({@link io.haltsupervisor.pollers.pods.NodeIdentity}):
 * <ol>
 *   <li>the {@code SeiNode} ({@code sei.io}) owning the pod, its StatefulSet, or its ReplicaSet's
 *       Deployment;</li>
 *   <li>else the pod's StatefulSet, or its ReplicaSet's Deployment;</li>
 *   <li>else the pod's own name.</li>
 * </ol>
 * This is the object the actuator changes. A workload with several replicas is one node; each of its pods
 * is a separate poll target (keyed by pod uid) and every observation names its pod.
 *
 * <h2>Where to poll</h2>
 * {@code http://POD_IP:PORT/status}, PORT being the container port named {@code rpc} (else 26657). The pod
 * annotation {@code halt-supervisor.io/status-url} overrides it only with
 * {@code POLLER_ALLOW_STATUS_URL_ANNOTATION=true} (dev and tests; an SSRF lever otherwise).
 *
 * <h2>Replicas</h2>
 * With {@code POLLER_REPLICAS=N}, replica {@code k} handles (polls and watches) the nodes with
 * {@code floorMod(nodeId.hashCode(), N) == k}; the mapping sync runs on replica 0 only.
 *
 * <h2>Bad input</h2>
 * Malformed JSON, HTML pages, non-2xx statuses, silence, oversized bodies, wrong types, negative heights,
 * unknown reason codes, unparsable timestamps: each is an {@link io.haltsupervisor.pollers.status.ObservationError}
 * counted by kind and logged at most once per pod per minute — never a halt, never a crash, never a stalled
 * loop. An exit-code observation for a pod the watcher saw terminate before the process restarted is
 * published again after a restart (the decider folds it by container id).
 */
package io.haltsupervisor.pollers;
