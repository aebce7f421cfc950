package io.haltsupervisor.pollers.pods;

import io.haltsupervisor.pollers.status.StatusParser;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Detects a {@code seid} container run under cosmovisor, whose exit code 1 on any child failure masks the
 * halt codes 70–89: the exit-code path is blind for such a pod (docs/requirements.md §1).
 */
public final class Cosmovisor {
    private Cosmovisor() {
    }

    /** Why the container looks like cosmovisor, or empty. */
    public static Optional<String> detect(Container container) {
        List<String> words = new ArrayList<>();
        if (container.getCommand() != null) {
            words.addAll(container.getCommand());
        }
        if (container.getArgs() != null) {
            words.addAll(container.getArgs());
        }
        for (String w : words) {
            if (w != null && w.toLowerCase(Locale.ROOT).contains("cosmovisor")) {
                return Optional.of("container command/args mention cosmovisor ('" + StatusParser.sanitize(w) + "')");
            }
        }
        if (container.getEnv() != null) {
            for (EnvVar env : container.getEnv()) {
                if ("DAEMON_NAME".equals(env.getName())) {
                    return Optional.of("container sets DAEMON_NAME (a cosmovisor setting)");
                }
            }
        }
        return Optional.empty();
    }
}
