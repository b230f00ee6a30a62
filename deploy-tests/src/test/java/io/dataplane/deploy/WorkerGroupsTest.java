package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Worker groups are listed per environment: one Deployment per environment/group pair. */
class WorkerGroupsTest {

  static Map<String, String> workerGroupsByDeployment(Chart.Rendered rendered) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode d : rendered.ofKind("Deployment")) {
      if ("worker".equals(d.at("/metadata/labels/app.kubernetes.io~1component").asText())) {
        out.put(
            d.at("/metadata/name").asText().replaceFirst("^.*-worker-", "worker-"),
            ChartRenderTest.config(rendered, d).get("DATAPLANE_WORKER_GROUPS"));
      }
    }
    return out;
  }

  @Test
  void theDefaultServesProdsDefaultGroup() {
    assertThat(workerGroupsByDeployment(Chart.render()))
        .containsExactly(Map.entry("worker-prod-default", "prod/default"));
  }

  @Test
  void devAndProdGroupsOfOneNameGetWorkersOfTheirOwn() {
    assertThat(workerGroupsByDeployment(Chart.render("two-environments.yaml")))
        .containsExactly(
            Map.entry("worker-dev-default", "dev/default"),
            Map.entry("worker-prod-default", "prod/default"));
  }

  @Test
  void aGroupListedTwiceForOneEnvironmentIsRefused() {
    assertThatThrownBy(
            () -> Chart.renderText(List.of(Chart.valuesFile("duplicate-group.yaml")), Map.of()))
        .hasMessageContaining("prod/etl twice");
  }
}
