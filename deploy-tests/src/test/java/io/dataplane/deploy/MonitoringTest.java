package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules: the panels and alerts the operators need,
 * well-formed queries, and metric names that agree with helm/dataplane/metrics.txt (the list a test
 * against live services checks in /q/metrics).
 */
class MonitoringTest {

  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
  private static final Pattern METRIC_LIKE =
      Pattern.compile("\\b((?:dataplane|jvm|process|system|http|kafka)_[a-zA-Z0-9_]+)\\b(\\s*.)?");
  private static final Set<String> SERVICES =
      Set.of(
          "gateway-service",
          "orchestrator-service",
          "scheduler-service",
          "secrets-service",
          "filestore-service",
          "worker-service");

  private static JsonNode dashboard;
  private static List<String> dashboardQueries;
  private static Map<String, JsonNode> alerts;

  @BeforeAll
  static void load() throws IOException {
    dashboard =
        new ObjectMapper().readTree(Chart.chartDir().resolve("dashboards/dataplane.json").toFile());
    dashboardQueries = new ArrayList<>();
    for (JsonNode panel : panels()) {
      panel.path("targets").forEach(t -> dashboardQueries.add(t.path("expr").asText()));
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (variable.path("type").asText().equals("query")) {
        dashboardQueries.add(variable.at("/query/query").asText());
      }
    }
    Chart.Rendered rendered = Chart.renderWith(Map.of("metrics.prometheusRule.enabled", true));
    alerts = new LinkedHashMap<>();
    for (JsonNode group : rendered.ofKind("PrometheusRule").get(0).at("/spec/groups")) {
      group.path("rules").forEach(r -> alerts.put(r.path("alert").asText(), r));
    }
  }

  private static List<JsonNode> panels() {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    return all;
  }

  static Set<String> metricNames(String query) {
    Set<String> names = new TreeSet<>();
    Matcher selector = SELECTOR.matcher(query);
    while (selector.find()) {
      names.add(selector.group(1));
    }
    Matcher labelValues = LABEL_VALUES.matcher(query);
    while (labelValues.find()) {
      names.add(labelValues.group(1));
    }
    return names;
  }

  static Map<String, Set<String>> metricsTxt() throws IOException {
    Map<String, Set<String>> metrics = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Chart.chartDir().resolve("metrics.txt"))) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split("\\s+");
      assertThat(fields).as("'%s': a name and its services", line).hasSize(2);
      metrics.put(fields[0], new TreeSet<>(List.of(fields[1].split(","))));
    }
    return metrics;
  }

  @Test
  void metricsTxtListsExactlyTheMetricsTheDashboardAndTheAlertsQuery() throws IOException {
    Set<String> used = new TreeSet<>();
    dashboardQueries.forEach(q -> used.addAll(metricNames(q)));
    alerts.values().forEach(r -> used.addAll(metricNames(r.path("expr").asText())));
    Map<String, Set<String>> listed = metricsTxt();
    assertThat(listed.keySet()).containsExactlyInAnyOrderElementsOf(used);
    listed.forEach((name, services) -> assertThat(SERVICES).as(name).containsAll(services));
  }

  @Test
  void everyMetricIsQueriedThroughASelector() {
    List<String> queries = new ArrayList<>(dashboardQueries);
    alerts.values().forEach(r -> queries.add(r.path("expr").asText()));
    for (String query : queries) {
      Matcher m = METRIC_LIKE.matcher(query);
      while (m.find()) {
        String next = m.group(2) == null ? "" : m.group(2).strip();
        assertThat(next)
            .as(
                "%s in %s is followed by a {...} selector (or is a label_values argument)",
                m.group(1), query)
            .isIn("{", ",");
      }
    }
  }

  @Test
  void queriesAreWellFormed() {
    List<String> queries = new ArrayList<>(dashboardQueries);
    alerts.values().forEach(r -> queries.add(r.path("expr").asText()));
    assertThat(queries).isNotEmpty();
    for (String query : queries) {
      assertThat(query).isNotBlank();
      Deque<Character> open = new ArrayDeque<>();
      boolean quoted = false;
      for (char c : query.toCharArray()) {
        if (c == '"') {
          quoted = !quoted;
        } else if (!quoted && "({[".indexOf(c) >= 0) {
          open.push(c);
        } else if (!quoted && ")}]".indexOf(c) >= 0) {
          assertThat(open).as("unbalanced %s in %s", c, query).isNotEmpty();
          assertThat("({[".indexOf(open.pop())).as(query).isEqualTo(")}]".indexOf(c));
        }
      }
      assertThat(open).as("unclosed in %s", query).isEmpty();
      assertThat(quoted).as("unclosed quote in %s", query).isFalse();
    }
  }

  @Test
  void theDashboardShowsWhatOperatorsWatch() {
    List<String> titles = panels().stream().map(p -> p.path("title").asText()).toList();
    assertThat(titles)
        .contains(
            "Runs by state",
            "Task duration p50 / p95",
            "Dispatch latency p50 / p95 / p99",
            "Queue depth per worker group",
            "Workers by state",
            "Worker CPU",
            "Worker memory",
            "Schedule fire lag",
            "Scheduler leader",
            "Secret reads and denials",
            "Worker slots");
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode panel : panels()) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique panel id").isTrue();
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
        assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
      }
    }
    assertThat(String.join("\n", dashboardQueries))
        .contains("histogram_quantile(0.5", "histogram_quantile(0.95")
        .contains("dataplane_task_duration_seconds_bucket")
        .contains("by (environment, group)", "by (state)");
    assertThat(dashboard.path("uid").asText()).isEqualTo("dataplane-overview");
  }

  @Test
  void theAlertsCoverTheFailuresOperatorsMustHearAbout() {
    assertThat(alerts)
        .containsKeys(
            "DataplaneSchedulerNoLeader",
            "DataplaneWorkersLost",
            "DataplaneWorkerUnsandboxed",
            "DataplaneScheduleFireLagHigh",
            "DataplaneRunsFailing",
            "DataplaneKafkaConsumerLag",
            "DataplaneSecretDecryptionFailures");
    for (Map.Entry<String, JsonNode> alert : alerts.entrySet()) {
      JsonNode rule = alert.getValue();
      assertThat(rule.path("for").asText()).as(alert.getKey()).matches("[0-9]+[smh]");
      assertThat(rule.path("expr").asText()).as(alert.getKey()).doesNotContain("ONLINE");
      assertThat(rule.at("/labels/severity").asText()).isIn("warning", "critical");
      assertThat(rule.at("/annotations/summary").asText()).isNotBlank();
      assertThat(rule.path("expr").asText()).contains("namespace=\"" + Chart.NAMESPACE + "\"");
    }
    assertThat(alerts.get("DataplaneScheduleFireLagHigh").path("expr").asText()).endsWith("> 30");
  }

  @Test
  void theThresholdsFollowTheValues() {
    Chart.Rendered rendered =
        Chart.renderWith(
            Map.of(
                "metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.fireLagSeconds", 5,
                "metrics.prometheusRule.consumerLagRecords", 2000000));
    String rules = rendered.ofKind("PrometheusRule").get(0).toString();
    assertThat(rules).contains("> 5\"").contains("> 2000000\"").doesNotContain("e+06");
  }

  @Test
  void theDashboardConfigMapCarriesTheDashboardVerbatim() throws IOException {
    JsonNode configMap = Chart.render().get("ConfigMap", Chart.RELEASE + "-dataplane-dashboard");
    assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    JsonNode embedded = new ObjectMapper().readTree(configMap.at("/data/dataplane.json").asText());
    assertThat(embedded).isEqualTo(dashboard);
  }

  @Test
  void monitoringObjectsAreOptional() {
    Chart.Rendered defaults = Chart.render();
    assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();
    assertThat(defaults.ofKind("PrometheusRule")).isEmpty();
    Chart.Rendered on =
        Chart.renderWith(
            Map.of(
                "metrics.serviceMonitor.enabled", true,
                "metrics.prometheusRule.enabled", true));
    JsonNode monitor = on.ofKind("ServiceMonitor").get(0);
    KubernetesSchemas.validate(monitor);
    KubernetesSchemas.validate(on.ofKind("PrometheusRule").get(0));
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
    long scraped =
        on.ofKind("Service").stream()
            .filter(
                s ->
                    ChartRenderTest.matches(
                        monitor.at("/spec/selector/matchLabels"), s.at("/metadata/labels")))
            .count();
    assertThat(scraped).isEqualTo(on.ofKind("Deployment").size());
  }
}
