package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Checks helm/dataplane/metrics.txt against the /q/metrics of running services: every metric the
 * dashboard and the alerts query is exposed by the services that metrics.txt names. Opt-in, for a
 * system test after the services have done some work (counters with tags appear once they count):
 *
 * <pre>
 * ./mvnw -B -pl deploy-tests -am test -Dtest=LiveMetricsTest -Dsurefire.failIfNoSpecifiedTests=false -Ddataplane.live.metrics=local
 * ./mvnw ... -Ddataplane.live.metrics=gateway-service=http://10.0.0.5:8080,worker-service=http://...
 * </pre>
 *
 * {@code local} means the ports of dev/services (8080 to 8085). Names the run could not have
 * produced can be excused with {@code -Ddataplane.live.metrics.allowMissing=name,name}.
 */
class LiveMetricsTest {

  private static final Map<String, String> LOCAL =
      Map.of(
          "gateway-service", "http://127.0.0.1:8080",
          "orchestrator-service", "http://127.0.0.1:8081",
          "scheduler-service", "http://127.0.0.1:8082",
          "worker-service", "http://127.0.0.1:8083",
          "secrets-service", "http://127.0.0.1:8084",
          "filestore-service", "http://127.0.0.1:8085");

  static Map<String, String> targets(String spec) {
    if (spec.equals("local")) {
      return LOCAL;
    }
    Map<String, String> targets = new LinkedHashMap<>();
    for (String pair : spec.split(",")) {
      String[] kv = pair.strip().split("=", 2);
      targets.put(kv[0], kv[1]);
    }
    return targets;
  }

  /** The metric names (sample names, without labels) of a Prometheus text exposition. */
  static Set<String> exposedNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  @Test
  void exposedNamesAreParsedFromTheTextFormat() {
    String sample =
        "# HELP dataplane_workers Workers\n"
            + "# TYPE dataplane_workers gauge\n"
            + "dataplane_workers{state=\"ACTIVE\"} 2.0\n"
            + "process_cpu_usage 0.01\n";
    assertThat(exposedNames(sample)).containsExactly("dataplane_workers", "process_cpu_usage");
  }

  @Test
  void everyQueriedMetricIsExposedByItsServices() throws Exception {
    String spec = System.getProperty("dataplane.live.metrics", "");
    assumeTrue(!spec.isBlank(), "set -Ddataplane.live.metrics=local (or service=url,...) to run");
    Set<String> allowed =
        new TreeSet<>(
            List.of(System.getProperty("dataplane.live.metrics.allowMissing", "").split(",")));
    Map<String, String> targets = targets(spec);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    Map<String, Set<String>> exposed = new HashMap<>();
    for (Map.Entry<String, String> target : targets.entrySet()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(target.getValue() + "/q/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(target.getKey()).isEqualTo(200);
      exposed.put(target.getKey(), exposedNames(response.body()));
    }
    List<String> missing = new ArrayList<>();
    MonitoringTest.metricsTxt()
        .forEach(
            (name, services) -> {
              for (String service : services) {
                if (exposed.containsKey(service)
                    && !exposed.get(service).contains(name)
                    && !allowed.contains(name)) {
                  missing.add(name + " in " + service);
                }
              }
            });
    assertThat(missing)
        .as("metrics the dashboard or alerts query but no service exposes")
        .isEmpty();
  }
}
