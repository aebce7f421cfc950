package io.haltsupervisor.cli;

import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing what a command started, last started first. */
public final class Resources {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    private Resources() {
    }

    /** Closes every resource, most recently pushed first; a failure to close one is logged and the rest still close. */
    public static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r, e.toString());
            }
        }
    }
}
