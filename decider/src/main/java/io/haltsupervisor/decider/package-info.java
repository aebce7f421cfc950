/**
 * The decider: the per-node incident state machine of docs/requirements.md §3 on Kafka Streams, exactly-once v2.
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link io.haltsupervisor.decider.core.NodeStateMachine} and {@link io.haltsupervisor.decider.core.FleetBreaker}
 *       are the pure core: {@code (state, input, time) → (state', decisions)}, no Kafka, no clock.
 *       {@link io.haltsupervisor.decider.streams.NodeProcessor} and {@link io.haltsupervisor.decider.streams.FleetProcessor}
 *       are the thin IO around them; {@link io.haltsupervisor.decider.streams.DeciderTopology#build} wires them
 *       (every processor, store and internal topic named; {@code ensure.explicit.internal.resource.naming}
 *       is on).</li>
 *   <li>The three node-keyed inputs (halt observations, node observations, operator commands) must be
 *       co-partitioned, so one task holds a node's whole story; {@link io.haltsupervisor.decider.service.DeciderService}
 *       checks it at start.</li>
 *   <li><b>Mappings reach every node task</b> through the decider's <em>control topic</em>
 *       ({@code <application.id>-control}, same partition count as the inputs, compacted, created by the
 *       service): the mapping processor broadcasts each change to every partition (a multicast
 *       {@code StreamPartitioner}), and each node task keeps its own replica in {@code decider-mappings}.
 *       A global store was rejected: it is bootstrapped to the end before processing, so a replay would see
 *       every mapping from the start and decide differently, and it cannot trigger decisions.</li>
 *   <li><b>Waiting incidents</b> are indexed in {@code decider-plan-waiters} under {@code p:<len>:<plan>/} (or
 *       {@code h:<height>/} when only the upgrade height is known); a mapping's arrival prefix-scans exactly its
 *       waiters, never all nodes.</li>
 *   <li><b>Fleet breaker</b>: a node task that opens a 71/72 incident sends a trip to
 *       {@code decider-fleet-events} (repartition, one partition, key {@code _fleet}); {@code release --fleet}
 *       goes the same way. The breaker emits one {@code fleet-hold} decision and broadcasts the hold on the
 *       control topic; each node task keeps it in {@code decider-fleet-view} and turns upgrades and rollbacks
 *       into {@code page(FleetHoldActive)} while it lasts. The hold reaches a task one round trip after the trip
 *       that caused it (two transactions, ~2 commit intervals): decisions in that window — including the
 *       tripping node's own — are not held. Incidents paged while the breaker was open stay with their humans
 *       after the release ({@code retry NODE} decides one again).</li>
 *   <li>Indexes ({@code decider-plan-waiters}, {@code decider-timers}, {@code decider-open-incidents}) are
 *       derived from the difference between a node's state before and after each step, so they cannot drift
 *       from it.</li>
 * </ul>
 *
 * <h2>Incidents</h2>
 * One open incident per node, {@code nodeId#N}. A halt observation with the open incident's code (and plan,
 * when both know it) folds into it and emits nothing: repeated polls, crash-loop restarts (new container ids),
 * the other source in either order. A fold that teaches an incident awaiting {@code PlanUnknown} its plan
 * decides it again. A halt with another code opens a new incident after resolving the old one ("superseded"),
 * unless the old one is a quarantine not yet released (everything folds into it). After an operator
 * {@code release}, a halt from a container or announcement the incident has not seen, later than the release,
 * opens a new incident. A late observation of a resolved incident's halt (its container, its announcement, or
 * anything that happened before the resolution) is ignored; the identities are forgotten after
 * {@code DECIDER_DEDUPE_RETENTION}.
 *
 * <p><b>Resolution</b>: the node is seen healthy in a fresh run — a pod observation {@code ready && !deleted}
 * whose pod uid, restart count or image differs from the run that halted (a stay-alive pod that stays ready
 * while halted does not count), or a status observation {@code recovered} (the intent went away) — and:
 * on the target image when the incident has one (upgrade, rollback); on any image after an operator
 * {@code release}, or when the incident has no target (await, page); never while quarantined and not released.
 * A resolved incident is compacted into {@link io.haltsupervisor.decider.core.NodeState.ResolvedSummary}.
 *
 * <p><b>Exit-code-only 70</b>: the plan comes from the incident, else from the node's last halt_intent seen since
 * it was last healthy (cleared at each resolution, so an old plan is never reused), else from the mapping
 * with the smallest upgrade height above the node's last known block height — a node that halts with 70 halts at
 * the first upgrade past its last block — <em>if that height is reachable</em>: from the last known height, seen
 * at the observation's time, the node must have been able to commit the blocks up to it before it exited (the
 * container's {@code finishedAt}), at one block per {@code DECIDER_MIN_BLOCK_TIME} (default 250 ms, the chain's
 * fastest pace) over that interval plus {@code DECIDER_HEIGHT_MARGIN} (default 30 s)
 * ({@link io.haltsupervisor.decider.core.NodeStateMachine.HeightRule}); else {@code await-mapping(PlanUnknown)},
 * registered under that height so a later mapping at or above it is tried again by the same rule.
 *
 * <h2>Time and determinism</h2>
 * Decisions use record timestamps ({@code decidedAt} is the timestamp of the record that caused them) and
 * deterministic ids: {@code incidentId/kind/seq} ({@code seq} counts the incident's decisions),
 * {@code incidentId/operator/commandId}, {@code _fleet#N/fleet-hold}, {@code _fleet#N/fleet-release/commandId}.
 *
 * <p>The grace window is a timer per incident (in {@code decider-timers}, keyed by due time), armed when an
 * upgrade, rollback or await-mapping is decided and the node is not on hold. It fires when <em>either</em>
 * the task's stream time passes its due time (checked before each record) <em>or</em> a wall-clock
 * punctuation (every {@code DECIDER_PUNCTUATE_INTERVAL}) sees the wall clock past it. The decision it emits is
 * stamped with the due time, not the firing time, and its id is deterministic — so whichever fires, the record
 * is the same. Wall-clock punctuation is needed: a halted stay-alive node produces no more records (pollers
 * emit on change), and stream time alone would never expire its window. The first window ends in one
 * {@code terminate-pod}; the second in one {@code escalate}, unless the page was acknowledged. Hold cancels
 * the timer; retry re-arms it.
 *
 * <p><b>What replay reproduces.</b> For a given order of input records per task, the decision log is a pure
 * function of the records: the determinism test runs one recorded input twice on fresh state and compares the
 * logs byte for byte, and a replay that feeds the recorded topics through the topology in timestamp order
 * (as {@code TopologyTestDriver} does, control records taking effect at once) reproduces it exactly.
 * Replaying on a broker from offset 0 with a fresh application id reproduces the original log when the
 * records meet in each task in the same order, which holds for the input topics (Streams merges a task's
 * partitions by timestamp, waiting to fetch partitions that have data) but not exactly for what the decider
 * feeds back to itself: a mapping or a fleet hold reaches the node tasks one transaction after it was read
 * (through the control topic), so a halt processed in that interval — live or in a replay — is decided
 * without it (a 70 awaits the mapping, then is upgraded when it arrives: one more decision, same outcome).
 * The same holds for how trips from different tasks interleave in the fleet breaker's one partition. Also:
 * the compacted mapping topic may no longer hold mappings the original run read; and timers fired by the
 * wall clock fire at the same point relative to records only if the original run kept up with its input —
 * a replay should run with {@code DECIDER_WALL_CLOCK_TIMERS=false}, so record time alone fires them. Finally,
 * Streams merges a task's partitions by timestamp only over what its consumer has fetched: with
 * {@code max.task.idle.ms=0} a caught-up task processes one partition ahead of another whose newest records are
 * on the broker but not fetched yet, so two records of a node written within milliseconds to different topics
 * may be decided in arrival order, where a replay decides them in timestamp order (docs/benchmarks-history.md, "replay").
 * The offline replay ({@link io.haltsupervisor.decider.replay.DeciderReplay}) drives this topology's processors
 * in-process ({@link io.haltsupervisor.decider.replay.InProcessTopology}), held byte-identical to
 * {@code TopologyTestDriver} by {@code InProcessTopologyTest}.
 *
 * <h2>Cost per record</h2>
 * The node processor's four inputs come in through one source node ({@link io.haltsupervisor.decider.streams.NodeInputSerde}
 * decodes each value by its topic), so a record reaches the processor in one hop; the two busy inputs are read by
 * the schemas module's fast readers (data binding for anything not in the canonical shape); node state is read
 * through a per-task object cache and written only when it changes; mappings are replicated in memory per task.
 * Kafka Streams 4.4 builds a log text with {@code String.format} for every empty partition of a task on every
 * record, logged or not (KAFKA-19682; the operator-commands and control partitions are nearly always empty); the
 * CLI makes en-US the default format locale, which halves that cost. {@code max.task.idle.ms=-1} would skip the
 * check altogether, at the price of the timestamp order above on a backlog: the decider sets 0 and warns when the
 * client settings override it with -1. Measurements: docs/benchmarks.md and docs/benchmarks-history.md, "decider".
 *
 * <h2>Poison</h2>
 * Records that do not deserialise or are larger than their topic's bound
 * ({@link io.haltsupervisor.decider.streams.DeadLetters.OnDeserialization}) or that deserialise but cannot be used — on
 * another partition than their key's ({@link io.haltsupervisor.decider.streams.MisroutedRecordException}), wrong key,
 * tombstone, a mapping keyed by another plan — (thrown as {@link io.haltsupervisor.decider.streams.RejectedRecordException}
 * before any state changes, handled by {@link io.haltsupervisor.decider.streams.DeadLetters.OnProcessing}) are written to
 * {@code seid.dead-letters.v1} by Streams in the same transaction, as dead letters of at most 16 KiB, and
 * processing continues. An output the producer cannot write fails the task
 * ({@link io.haltsupervisor.decider.streams.DeadLetters.OnProduction}) and the decider says why
 * ({@link io.haltsupervisor.decider.service.DeciderHealth}); see docs/design.md, "One bad record".
 */
package io.haltsupervisor.decider;

