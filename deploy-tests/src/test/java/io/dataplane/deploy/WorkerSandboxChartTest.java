package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart fails closed: with its default values the worker pods get what bubblewrap needs (their
 * own user namespace, unconfined seccomp and AppArmor, an unmasked /proc), the sandbox is {@code
 * bwrap}, and running tasks without a sandbox takes an explicit {@code workers.allowUnsandboxed}.
 * The plain manifests in k8s/ say the same.
 */
class WorkerSandboxChartTest {

  @Test
  void defaultValuesGiveTheWorkersWhatBubblewrapNeeds() {
    assertWorkersSandboxed(Chart.render());
  }

  @Test
  void thePlainManifestsGiveTheWorkersWhatBubblewrapNeeds() throws Exception {
    String deployments = Files.readString(K8sManifests.dir().resolve("deployments.yaml"));
    String configMaps = Files.readString(K8sManifests.dir().resolve("configmaps.yaml"));
    List<JsonNode> objects = new java.util.ArrayList<>(Chart.parse(deployments));
    objects.addAll(Chart.parse(configMaps));
    assertWorkersSandboxed(new Chart.Rendered(objects));
  }

  @Test
  void onlyTheWorkerPodsAreRelaxed() {
    for (JsonNode deployment : Chart.render().ofKind("Deployment")) {
      if (isWorker(deployment)) {
        continue;
      }
      String name = deployment.at("/metadata/name").asText();
      JsonNode pod = deployment.at("/spec/template/spec");
      assertThat(pod.has("hostUsers")).as(name).isFalse();
      assertThat(pod.at("/securityContext/seccompProfile/type").asText())
          .as(name)
          .isEqualTo("RuntimeDefault");
      assertThat(pod.at("/containers/0/securityContext/procMount").isMissingNode())
          .as(name)
          .isTrue();
    }
  }

  @Test
  void runningWithoutASandboxNeedsAnExplicitAllowance() {
    assertThatThrownBy(() -> Chart.renderWith(Map.of("workers.sandbox", "none")))
        .hasMessageContaining("workers.allowUnsandboxed=true");
    Chart.Rendered allowed =
        Chart.renderWith(Map.of("workers.sandbox", "none", "workers.allowUnsandboxed", true));
    for (JsonNode deployment : workers(allowed)) {
      Map<String, String> config = ChartRenderTest.config(allowed, deployment);
      assertThat(config)
          .containsEntry("DATAPLANE_WORKER_SANDBOX", "none")
          .containsEntry("DATAPLANE_WORKER_ALLOW_UNSANDBOXED", "true");
    }
  }

  private static void assertWorkersSandboxed(Chart.Rendered rendered) {
    List<JsonNode> workers = workers(rendered);
    assertThat(workers).isNotEmpty();
    for (JsonNode deployment : workers) {
      String name = deployment.at("/metadata/name").asText();
      JsonNode pod = deployment.at("/spec/template/spec");
      JsonNode security = pod.at("/containers/0/securityContext");
      assertThat(pod.path("hostUsers").asBoolean(true)).as(name + " hostUsers").isFalse();
      assertThat(security.at("/seccompProfile/type").asText()).as(name).isEqualTo("Unconfined");
      assertThat(security.at("/appArmorProfile/type").asText()).as(name).isEqualTo("Unconfined");
      assertThat(security.path("procMount").asText()).as(name).isEqualTo("Unmasked");
      // and nothing else is given up: no privileges, no capabilities, a non-root user
      assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
      assertThat(security.path("privileged").asBoolean(false)).as(name).isFalse();
      assertThat(security.at("/capabilities/drop").toString()).as(name).contains("\"ALL\"");
      assertThat(security.at("/capabilities/add").isMissingNode()).as(name).isTrue();
      Map<String, String> config = ChartRenderTest.config(rendered, deployment);
      assertThat(config)
          .as(name)
          .containsEntry("DATAPLANE_WORKER_SANDBOX", "bwrap")
          .containsEntry("DATAPLANE_WORKER_ALLOW_UNSANDBOXED", "false");
    }
  }

  private static List<JsonNode> workers(Chart.Rendered rendered) {
    return rendered.ofKind("Deployment").stream().filter(WorkerSandboxChartTest::isWorker).toList();
  }

  private static boolean isWorker(JsonNode deployment) {
    return "worker".equals(deployment.at("/metadata/labels/app.kubernetes.io~1component").asText());
  }
}
