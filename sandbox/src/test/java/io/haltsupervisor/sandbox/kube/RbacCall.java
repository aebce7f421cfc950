package io.haltsupervisor.sandbox.kube;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;

/**
 * What Kubernetes RBAC checks for one API request — API group, resource (with subresource), verb, namespace and
 * object name — read from the request line the in-memory API recorded, and whether a rule allows it, resource names
 * included. The tests' one request→RBAC matcher: the actuator's and the pollers' RBAC tests check every request
 * their component made against the shipped Roles with it.
 *
 * @param namespace null for a cluster-scoped request
 * @param name null for a collection (list, watch, create, deletecollection)
 */
public record RbacCall(String group, String resource, String verb, String namespace, String name) {

    /** Maps {@code METHOD /api[s]/…[?query]} to what RBAC checks. */
    public static RbacCall of(String method, String fullPath) {
        String path = fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
        String[] p = path.substring(1).split("/");
        int i;
        String group;
        if (p[0].equals("api")) {
            group = "";
            i = 2;
        } else if (p[0].equals("apis")) {
            group = p[1];
            i = 3;
        } else {
            throw new IllegalArgumentException("not an API request path: " + fullPath);
        }
        String namespace = null;
        if (i < p.length && p[i].equals("namespaces") && i + 2 < p.length) {
            namespace = p[i + 1];
            i += 2;
        }
        String resource = p[i];
        String name = i + 1 < p.length ? p[i + 1] : null;
        if (i + 2 < p.length) {
            resource = resource + "/" + p[i + 2];
        }
        String verb = switch (method) {
            case "GET" -> name == null ? (fullPath.contains("watch=true") ? "watch" : "list") : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new IllegalArgumentException("not an API verb: " + method + " " + fullPath);
        };
        return new RbacCall(group, resource, verb, namespace, name);
    }

    /** Whether {@code rule} allows this call: group, resource and verb listed, and its name if the rule names any. */
    public boolean allowedBy(PolicyRule rule) {
        List<String> names = rule.getResourceNames();
        return rule.getApiGroups().contains(group) && rule.getResources().contains(resource)
                && rule.getVerbs().contains(verb) && (names == null || names.isEmpty() || names.contains(name));
    }

    /** Whether any of {@code rules} allows this call. */
    public boolean allowedByAny(List<PolicyRule> rules) {
        return rules.stream().anyMatch(this::allowedBy);
    }
}
