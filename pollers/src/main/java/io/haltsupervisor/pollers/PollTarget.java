package io.haltsupervisor.pollers;

import io.haltsupervisor.schemas.Require;
import java.net.URI;
import java.util.Objects;

/**
 * One pod to poll: its node, where its {@code /status} is, and what it runs.
 *
 * @param key       identifies the target: the pod uid (a recreated pod is a new target)
 * @param nodeId    the node the pod belongs to ({@code namespace/name}, see the package comment)
 * @param podName   the pod's name
 * @param statusUrl where to poll
 * @param image     the {@code seid} container's image, may be null
 */
public record PollTarget(String key, String nodeId, String podName, URI statusUrl, String image) {

    public PollTarget {
        Require.nonBlank(key, "key");
        Require.nodeId(nodeId, "nodeId");
        Require.nonBlank(podName, "podName");
        Objects.requireNonNull(statusUrl, "statusUrl");
    }
}
