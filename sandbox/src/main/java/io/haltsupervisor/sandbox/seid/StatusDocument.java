package io.haltsupervisor.sandbox.seid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haltsupervisor.schemas.HaltIntent;
import io.haltsupervisor.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Builds Tendermint {@code /status} documents as {@code seid} serves them: {@code node_info},
 * {@code application_info}, {@code sync_info}, {@code validator_info} and, when halted, {@code halt_intent}
 * at the top level beside them. Hashes, ids and keys are derived deterministically from the node id and
 * height, so the same state always gives the same bytes.
 */
final class StatusDocument {
    private static final Instant GENESIS = Instant.parse("2024-05-27T12:00:00Z");
    private static final Duration BLOCK_INTERVAL = Duration.ofMillis(400);

    private StatusDocument() {
    }

    static ObjectNode status(String id, String network, String version, long height, boolean catchingUp,
            long votingPower, boolean int64AsNumbers, HaltIntent intent) {
        ObjectNode status = Json.MAPPER.createObjectNode();
        ObjectNode nodeInfo = status.putObject("node_info");
        ObjectNode protocol = nodeInfo.putObject("protocol_version");
        protocol.put("p2p", "8");
        protocol.put("block", "11");
        protocol.put("app", "0");
        nodeInfo.put("id", hex(id, "node-id", 20));
        nodeInfo.put("listen_addr", "tcp://0.0.0.0:26656");
        nodeInfo.put("network", network);
        nodeInfo.put("version", version);
        nodeInfo.put("channels", "40202122233038606162630070717273");
        nodeInfo.put("moniker", id);
        ObjectNode other = nodeInfo.putObject("other");
        other.put("tx_index", "on");
        other.put("rpc_address", "tcp://0.0.0.0:26657");

        status.putObject("application_info").put("version", version);

        ObjectNode sync = status.putObject("sync_info");
        sync.put("latest_block_hash", hex(id, "block-" + height, 32).toUpperCase(Locale.ROOT));
        sync.put("latest_app_hash", hex(id, "app-" + height, 32).toUpperCase(Locale.ROOT));
        int64(sync, "latest_block_height", height, int64AsNumbers);
        sync.put("latest_block_time", blockTime(height));
        sync.put("earliest_block_hash", hex(network, "genesis", 32).toUpperCase(Locale.ROOT));
        sync.put("earliest_app_hash", hex(network, "genesis-app", 32).toUpperCase(Locale.ROOT));
        int64(sync, "earliest_block_height", 1, int64AsNumbers);
        sync.put("earliest_block_time", blockTime(1));
        int64(sync, "max_peer_block_height", height, int64AsNumbers);
        sync.put("catching_up", catchingUp);
        for (String zero : new String[] {"total_synced_time", "remaining_time", "total_snapshots",
                "chunk_process_avg_time", "snapshot_height", "snapshot_chunks_count", "snapshot_chunks_total",
                "backfilled_blocks", "backfill_blocks_total"}) {
            int64(sync, zero, 0, int64AsNumbers);
        }

        ObjectNode validator = status.putObject("validator_info");
        validator.put("address", hex(id, "validator", 20).toUpperCase(Locale.ROOT));
        ObjectNode pubKey = validator.putObject("pub_key");
        pubKey.put("type", "tendermint/PubKeyEd25519");
        pubKey.put("value", Base64.getEncoder().encodeToString(digest(id, "pubkey")));
        int64(validator, "voting_power", votingPower, int64AsNumbers);

        if (intent != null) {
            status.set("halt_intent", Json.MAPPER.valueToTree(intent));
        }
        return status;
    }

    /** The JSON-RPC 2.0 envelope Tendermint wraps results in. */
    static ObjectNode wrap(ObjectNode status) {
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.put("jsonrpc", "2.0");
        envelope.put("id", -1);
        envelope.set("result", status);
        return envelope;
    }

    /** Replaces (or adds) the value at a JSON Pointer with raw JSON, creating missing parent objects. */
    static void replace(ObjectNode root, String pointer, String rawJson) {
        JsonNode value;
        try {
            value = Json.MAPPER.readTree(rawJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("ReplaceField json: expected valid JSON text, got '" + rawJson + "'", e);
        }
        String[] parts = pointer.substring(1).split("/", -1);
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            String name = unescape(parts[i]);
            JsonNode child = parent.get(name);
            parent = child instanceof ObjectNode object ? object : parent.putObject(name);
        }
        parent.set(unescape(parts[parts.length - 1]), value);
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    private static void int64(ObjectNode node, String field, long value, boolean asNumber) {
        if (asNumber) {
            node.put(field, value);
        } else {
            node.put(field, Long.toString(value));
        }
    }

    private static String blockTime(long height) {
        return GENESIS.plus(BLOCK_INTERVAL.multipliedBy(height)).toString();
    }

    private static String hex(String seed, String salt, int bytes) {
        byte[] d = digest(seed, salt);
        return HexFormat.of().formatHex(d, 0, Math.min(bytes, d.length));
    }

    private static byte[] digest(String seed, String salt) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((seed + "|" + salt).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
