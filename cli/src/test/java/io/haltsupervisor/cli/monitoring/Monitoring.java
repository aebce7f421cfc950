package io.haltsupervisor.cli.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.haltsupervisor.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring files under {@code deploy/monitoring/} as the tests read them: the alert rules, the Grafana
 * dashboard's queries, and the metric names both use. Plain file parsing.
 */
public final class Monitoring {
    static final YAMLMapper YAML = new YAMLMapper();
    /** Names of series the supervisor exports (its own and the bound Kafka client metrics). */
    private static final Pattern METRIC = Pattern.compile("\\b(halt_supervisor_[a-z0-9_]+|kafka_[a-z0-9_]+)\\b");

    private Monitoring() {
    }

    /** One alerting rule of the rules file. */
    public record Alert(String name, String expr, String forDuration, JsonNode labels, JsonNode annotations) {
    }

    /** One query of a dashboard panel. */
    public record Query(String panel, String expr) {
    }

    /** The repository root: the first ancestor of the working directory holding {@code deploy/} and a pom. */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("deploy")) && Files.isRegularFile(p.resolve("pom.xml"))
                    && Files.isDirectory(p.resolve("schemas"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    public static Path dir() {
        return root().resolve("deploy/monitoring");
    }

    public static Path rulesFile() {
        return dir().resolve("halt-supervisor.rules.yaml");
    }

    public static Path dashboardFile() {
        return dir().resolve("halt-supervisor-dashboard.json");
    }

    /** The promtool unit tests of the rules. */
    public static Path rulesTestFile() {
        return root().resolve("cli/src/test/resources/monitoring/halt-supervisor.rules.test.yaml");
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every alert of the rules file, in order. */
    public static List<Alert> alerts() {
        List<Alert> out = new ArrayList<>();
        for (JsonNode group : readYaml(rulesFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.add(new Alert(rule.path("alert").asText(null), rule.path("expr").asText(null),
                        rule.path("for").asText(null), rule.path("labels"), rule.path("annotations")));
            }
        }
        return out;
    }

    public static JsonNode dashboard() {
        try {
            return Json.MAPPER.readTree(Files.readString(dashboardFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dashboardFile(), e);
        }
    }

    /** Every query of every panel of the dashboard (rows' nested panels included). */
    public static List<Query> dashboardQueries() {
        List<Query> out = new ArrayList<>();
        collect(dashboard().path("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, List<Query> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query(panel.path("title").asText(), target.path("expr").asText()));
            }
            collect(panel.path("panels"), out);
        }
    }

    /** The metric names an expression reads. */
    public static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Every metric name the rules and the dashboard read. */
    public static Set<String> metricNamesUsed() {
        Set<String> names = new TreeSet<>();
        alerts().forEach(a -> names.addAll(metricNames(a.expr())));
        dashboardQueries().forEach(q -> names.addAll(metricNames(q.expr())));
        return names;
    }
}
