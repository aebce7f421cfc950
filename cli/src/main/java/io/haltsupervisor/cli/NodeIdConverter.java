package io.haltsupervisor.cli;

import io.haltsupervisor.schemas.Require;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Validates a {@code NODE} argument: {@code namespace/name}. */
public final class NodeIdConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            return Require.nodeId(value, "NODE");
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("expected a node id 'namespace/name' (e.g. sei/rpc-0), got '" + value + "'");
        }
    }
}
