package io.haltsupervisor.sandbox.pager;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request as a receiver got it, and the status it answered.
 *
 * @param headers request headers, case-insensitive names, repeated values joined with {@code ","}
 * @param path    the path without the query
 */
public record ReceivedRequest(Instant receivedAt, String method, String path, Map<String, String> headers,
        String body, int answeredWith) {

    public ReceivedRequest {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableMap(copy);
    }

    /** The value of header {@code name} (any case). */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** Whether it was answered 2xx. */
    public boolean accepted() {
        return answeredWith >= 200 && answeredWith < 300;
    }

    /** The body as JSON; throws when it is not JSON. */
    public JsonNode json() {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }
}
