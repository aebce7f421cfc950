package io.haltsupervisor.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/**
 * Value of {@code seid.operator-commands.v1}: a human's instruction, audited like every other event.
 * Keyed by node id, or by {@link Topics#FLEET_KEY} for a fleet-wide command ({@code release --fleet}),
 * in which case {@code nodeId} is null and {@code fleet} is true.
 *
 * @param commandId unique id of this command (the CLI makes a UUID), so a repeat can be recognised
 * @param command   what to do
 * @param by        who issued it
 * @param reason    why, free text
 * @param issuedAt  when it was issued
 */
public record OperatorCommandIssued(
        int schemaVersion,
        String commandId,
        String nodeId,
        @JsonProperty(required = true) boolean fleet,
        Command command,
        String by,
        String reason,
        Instant issuedAt) {

    public static final int SCHEMA_VERSION = 1;

    public OperatorCommandIssued {
        Require.schemaVersion(schemaVersion, SCHEMA_VERSION);
        Require.nonBlank(commandId, "commandId");
        Require.present(command, "command");
        if (fleet) {
            if (nodeId != null) {
                throw new IllegalArgumentException("field 'nodeId' must be absent for a fleet command");
            }
            if (command != Command.RELEASE) {
                throw new IllegalArgumentException(
                        "field 'command': only 'release' applies to the fleet, got '" + command.token() + "'");
            }
        } else {
            Require.nodeId(nodeId, "nodeId");
        }
        Require.nonBlank(by, "by");
        Require.present(issuedAt, "issuedAt");
    }

    public static OperatorCommandIssued forNode(String commandId, String nodeId, Command command, String by,
            String reason, Instant issuedAt) {
        return new OperatorCommandIssued(SCHEMA_VERSION, commandId, nodeId, false, command, by, reason, issuedAt);
    }

    public static OperatorCommandIssued forFleet(String commandId, Command command, String by, String reason,
            Instant issuedAt) {
        return new OperatorCommandIssued(SCHEMA_VERSION, commandId, null, true, command, by, reason, issuedAt);
    }

    /** The record key: the node id, or {@link Topics#FLEET_KEY}. */
    public String key() {
        return fleet ? Topics.FLEET_KEY : nodeId;
    }

    /** Operator commands. */
    public enum Command {
        /** Acknowledge the page; automation continues. */
        ACK,
        /** Stop automatic actions for the node until released. */
        HOLD,
        /** Lift a hold or quarantine (per node), or the fleet circuit breaker (fleet). */
        RELEASE,
        /** Decide the node's open incident again (e.g. after fixing a mapping or a policy). */
        RETRY;

        @JsonValue
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Command fromToken(String token) {
            for (Command c : values()) {
                if (c.token().equals(token == null ? null : token.toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
            throw new IllegalArgumentException("command: expected ack, hold, release or retry, got '" + token + "'");
        }
    }
}
