package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** k8s/ must be exactly the chart rendered by scripts/render-k8s. */
class K8sManifestsTest {

  private static Map<String, String> expected;

  @BeforeAll
  static void render() throws Exception {
    expected = K8sManifests.expected();
    if (Boolean.getBoolean("dataplane.k8s.update")) {
      K8sManifests.write(expected);
    }
  }

  @Test
  void theManifestsMatchTheChart() {
    Map<String, String> actual = K8sManifests.actual();
    assertThat(actual.keySet())
        .as("files in k8s/ (run scripts/render-k8s after changing the chart)")
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, String> file : expected.entrySet()) {
      assertThat(actual.get(file.getKey()))
          .as("k8s/%s differs from the chart: run scripts/render-k8s", file.getKey())
          .isEqualTo(file.getValue());
    }
  }

  @Test
  void theManifestsAreValidAndComplete() {
    List<JsonNode> objects = new ArrayList<>();
    expected.forEach(
        (file, text) -> {
          if (!file.endsWith("kustomization.yaml")) {
            objects.addAll(Chart.parse(text));
          }
        });
    objects.forEach(KubernetesSchemas::validate);
    List<String> kinds = objects.stream().map(o -> o.path("kind").asText()).distinct().toList();
    assertThat(kinds)
        .contains(
            "Deployment",
            "Service",
            "ConfigMap",
            "ServiceAccount",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
            "ServiceMonitor",
            "PrometheusRule");
    assertThat(objects)
        .allSatisfy(
            o -> {
              assertThat(o.at("/metadata/labels").has("app.kubernetes.io/managed-by")).isFalse();
              assertThat(o.at("/metadata/namespace").isMissingNode())
                  .as("the namespace comes from kustomization.yaml")
                  .isTrue();
            });
    assertThat(expected.get("kustomization.yaml"))
        .contains("namespace: dataplane")
        .contains("  - deployments.yaml");
    assertThat(expected.get("monitoring/kustomization.yaml")).contains("  - servicemonitor.yaml");
  }

  @Test
  void kustomizeBuildsThem() throws Exception {
    Path kubectl = onPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not installed: kustomize check skipped");
    Process build =
        new ProcessBuilder(kubectl.toString(), "kustomize", K8sManifests.dir().toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(build.exitValue()).as(out).isZero();
    List<JsonNode> objects = Chart.parse(out);
    assertThat(objects).isNotEmpty();
    assertThat(objects)
        .allSatisfy(o -> assertThat(o.at("/metadata/namespace").asText()).isEqualTo("dataplane"));
    assertThat(objects.stream().filter(o -> o.path("kind").asText().equals("Deployment")))
        .hasSize(6);
  }

  private static Path onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
