/**
 * Simulated {@code seid} nodes: a real loopback HTTP server ({@link io.haltsupervisor.sandbox.seid.SimulatedSeidServer})
 * serving realistic Tendermint {@code /status} documents for many nodes on one port, each node
 * ({@link io.haltsupervisor.sandbox.seid.SimulatedSeid}) controllable at run time: healthy at a height,
 * halted in stay-alive mode with any {@code halt_intent}, an older {@code seid} without {@code halt_intent},
 * or misbehaving with a {@link io.haltsupervisor.sandbox.seid.Fault} (malformed JSON, an HTML error page,
 * HTTP 5xx, a connection that is never answered, an oversized body, a field of the wrong type).
 *
 * <p>It plays the node's side of the halt contract (docs/requirements.md §1) for dev mode, the pollers' tests, the
 * end-to-end tests and the poller benchmark. It is not {@code seid}: no consensus, no RPC beyond
 * {@code GET /status}, no process that exits (model an exited node by removing it, which answers 404,
 * or with {@link io.haltsupervisor.sandbox.seid.Fault.NeverAnswer}).
 */
package io.haltsupervisor.sandbox.seid;
