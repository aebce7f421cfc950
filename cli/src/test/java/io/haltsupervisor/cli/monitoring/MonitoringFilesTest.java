package io.haltsupervisor.cli.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.haltsupervisor.cli.monitoring.Monitoring.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files under {@code deploy/monitoring/} (issue 19), read as files: the PrometheusRule holds
 * exactly the rules of the plain rules file; every alert has a severity, a summary, a description that names
 * the node or component, and a runbook section in {@code docs/operations.md}; every alert has a firing case in
 * the promtool tests; the dashboard is a Grafana dashboard on a Prometheus data source whose every panel has
 * a query. Whether the metrics exist and the queries return data is {@code PrometheusScrapeIT}'s part (a real
 * Prometheus); whether the rules parse and fire as tested is {@code PromtoolIT}'s.
 */
class MonitoringFilesTest {
    private static final String RUNBOOK_BASE =
            "https://github.com/halt-supervisor/halt-supervisor/blob/main/docs/operations.md#";
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    @Test
    void thePrometheusRuleHoldsExactlyTheRulesOfThePlainRulesFile() {
        JsonNode rule = Monitoring.readYaml(Monitoring.dir().resolve("prometheus-rule.yaml"));
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        JsonNode plain = Monitoring.readYaml(Monitoring.rulesFile());
        assertThat(rule.path("spec")).as("spec of prometheus-rule.yaml vs halt-supervisor.rules.yaml").isEqualTo(plain);
    }

    @Test
    void everyAlertHasASeveritySummaryDescriptionAndRunbookSection() throws IOException {
        List<Alert> alerts = Monitoring.alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(15);
        Set<String> anchors = headingAnchors(Files.readString(Monitoring.root().resolve("docs/operations.md")));
        Set<String> names = new HashSet<>();
        for (Alert a : alerts) {
            assertThat(names.add(a.name())).as("alert %s declared once", a.name()).isTrue();
            assertThat(a.name()).startsWith("HaltSupervisor");
            assertThat(a.expr()).as(a.name()).isNotBlank();
            assertThat(a.labels().path("severity").asText()).as("%s severity", a.name()).isIn(SEVERITIES);
            assertThat(a.annotations().path("summary").asText()).as("%s summary", a.name()).isNotBlank();
            String description = a.annotations().path("description").asText();
            assertThat(description).as("%s description", a.name()).isNotBlank();
            assertThat(description.contains("{{ $labels.") || a.labels().has("component"))
                    .as("%s: the description names the node, instance or component (a label), or the alert carries "
                            + "a component label", a.name()).isTrue();
            String runbook = a.annotations().path("runbook_url").asText();
            assertThat(runbook).as("%s runbook_url", a.name()).startsWith(RUNBOOK_BASE);
            String anchor = runbook.substring(RUNBOOK_BASE.length());
            assertThat(anchor).as("%s: the runbook section is named after the alert", a.name())
                    .isEqualTo(a.name().toLowerCase(Locale.ROOT));
            assertThat(anchors).as("docs/operations.md headings: %s has a runbook section", a.name()).contains(anchor);
        }
    }

    @Test
    void everyAlertIsTestedFiringAndEveryTestedAlertExists() {
        JsonNode tests = Monitoring.readYaml(Monitoring.rulesTestFile());
        assertThat(tests.path("rule_files").get(0).asText()).endsWith("deploy/monitoring/halt-supervisor.rules.yaml");
        Map<String, Integer> firing = new TreeMap<>();
        Set<String> tested = new TreeSet<>();
        for (JsonNode t : tests.path("tests")) {
            for (JsonNode eval : t.path("alert_rule_test")) {
                String name = eval.path("alertname").asText();
                tested.add(name);
                firing.merge(name, eval.path("exp_alerts").size(), Integer::sum);
            }
        }
        Set<String> alerts = new TreeSet<>();
        Monitoring.alerts().forEach(a -> alerts.add(a.name()));
        assertThat(tested).as("alerts the promtool tests name").isEqualTo(alerts);
        alerts.forEach(a -> assertThat(firing.get(a)).as("%s has a case in which it fires", a).isPositive());
    }

    @Test
    void theDashboardQueriesPrometheusInEveryPanel() {
        JsonNode dashboard = Monitoring.dashboard();
        assertThat(dashboard.path("uid").asText()).isEqualTo("halt-supervisor");
        JsonNode variable = dashboard.path("templating").path("list").get(0);
        assertThat(variable.path("type").asText()).isEqualTo("datasource");
        assertThat(variable.path("query").asText()).isEqualTo("prometheus");
        Set<Integer> ids = new HashSet<>();
        Set<String> titles = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            titles.add(panel.path("title").asText());
            assertThat(panel.path("datasource").path("type").asText()).as(panel.path("title").asText())
                    .isEqualTo("prometheus");
            assertThat(panel.path("targets")).as("%s has queries", panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as(panel.path("title").asText()).isNotBlank();
                assertThat(target.path("expr").asText()).as("queries are plain PromQL (no Grafana variables), so "
                        + "PrometheusScrapeIT can run them").doesNotContain("$");
            }
        }
        // what the issue asks the dashboard to show
        assertThat(String.join("\n", titles).toLowerCase(Locale.ROOT)).contains("open incidents", "decisions by kind",
                "poll rate", "poll latency", "per-node poll health", "decider input lag", "decider commit latency",
                "actuator step outcomes", "dead letters", "pages");
    }

    @Test
    void theRulesAndDashboardReadOnlySupervisorAndKafkaClientMetrics() {
        Set<String> used = Monitoring.metricNamesUsed();
        assertThat(used).isNotEmpty().allSatisfy(n -> assertThat(n).matches("(halt_supervisor|kafka)_[a-z0-9_]+"));
        assertThat(used).as("counters end in _total, durations are in seconds").filteredOn(n ->
                n.startsWith("halt_supervisor_") && (n.contains("_ms") || n.endsWith("_millis"))).isEmpty();
    }

    /** GitHub's anchors of the markdown headings: lower case, punctuation dropped, spaces as dashes. */
    static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^#{1,6} +(.+?) *$").matcher(markdown);
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }
}
