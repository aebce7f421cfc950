package io.haltsupervisor.sandbox.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * One node of a {@link KafkaCluster}, as a process of its own: {@code java -cp … KafkaClusterNode SERVER_PROPERTIES}
 * starts a {@link KafkaRaftServer} (broker and controller) on the formatted storage the properties name and runs
 * until the process ends. {@code SIGTERM} shuts it down as a broker stops (controlled shutdown); {@code SIGKILL}
 * is a crash. It prints {@code STARTED} once the server's startup returned.
 */
public final class KafkaClusterNode {
    private KafkaClusterNode() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: KafkaClusterNode SERVER_PROPERTIES");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-cluster-node-shutdown"));
        server.startup();
        System.out.println("STARTED");
        System.out.flush();
        server.awaitShutdown();
    }
}
