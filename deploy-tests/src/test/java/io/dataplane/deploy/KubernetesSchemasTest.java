package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The validator itself: it must refuse what the API server would refuse. */
class KubernetesSchemasTest {

  private static JsonNode yaml(String text) throws Exception {
    return Chart.YAML.readTree(text);
  }

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: demo}
      spec:
        replicas: 2
        selector: {matchLabels: {app: demo}}
        template:
          metadata: {labels: {app: demo}}
          spec:
            containers:
              - name: demo
                image: demo:1
                ports: [{name: http, containerPort: 8080}]
      """;

  @Test
  void acceptsAValidDeployment() throws Exception {
    Object model = KubernetesSchemas.validate(yaml(DEPLOYMENT));
    assertThat(model).isInstanceOf(Deployment.class);
    assertThat(((Deployment) model).getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void rejectsAMisspeltField() throws Exception {
    JsonNode typo = yaml(DEPLOYMENT.replace("containerPort: 8080", "containerPortz: 8080"));
    assertThatThrownBy(() -> KubernetesSchemas.validate(typo))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Deployment demo")
        .hasMessageContaining("containerPortz");
  }

  @Test
  void rejectsAFieldAtTheWrongLevel() throws Exception {
    JsonNode misplaced = yaml(DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  image: demo:1"));
    assertThatThrownBy(() -> KubernetesSchemas.validate(misplaced)).hasMessageContaining("image");
  }

  @Test
  void rejectsAWrongType() throws Exception {
    JsonNode wrong = yaml(DEPLOYMENT.replace("replicas: 2", "replicas: two"));
    assertThatThrownBy(() -> KubernetesSchemas.validate(wrong)).hasMessageContaining("replicas");
  }

  @Test
  void rejectsAnUnknownFieldInAServiceMonitor() throws Exception {
    JsonNode monitor =
        yaml(
            """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata: {name: demo}
            spec:
              selector: {matchLabels: {app: demo}}
              endpoints: [{port: http, paht: /q/metrics}]
            """);
    assertThatThrownBy(() -> KubernetesSchemas.validate(monitor)).hasMessageContaining("paht");
  }

  @Test
  void rejectsAnUnknownKind() throws Exception {
    JsonNode unknown = yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
    assertThatThrownBy(() -> KubernetesSchemas.validate(unknown))
        .hasMessageContaining("example.com/v1/Widget");
  }
}
