package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;

/** NOTES.txt, as `helm install` prints it (a client-only dry run: no cluster needed). */
class NotesTest {

  private static String notes(String valuesFile) {
    InstallCommand install =
        new Helm(Chart.chartDir())
            .install()
            .withName("dp")
            .withNamespace("dataplane")
            .dryRun()
            .clientOnly();
    if (valuesFile != null) {
      install = install.withValuesFile(Chart.valuesFile(valuesFile));
    }
    String output = install.call().getOutput();
    assertThat(output).contains("NOTES:");
    return output.substring(output.indexOf("NOTES:"));
  }

  @Test
  void tellsHowToCreateTheSecretsAndReachTheApi() {
    String notes = notes(null);
    assertThat(notes)
        .contains("kubectl -n dataplane create secret generic dataplane-keys")
        .contains("--from-literal=service-token-gateway=")
        .contains("--from-literal=service-token-worker=")
        .contains("--from-literal=attempt-token-key=")
        .contains("--from-literal=master-key-v1=")
        .contains("create secret generic dataplane-postgresql")
        .contains("port-forward svc/dp-dataplane-gateway 8080:8080")
        .contains(
            "dp-dataplane-worker-prod-default (worker-service, port 8083, worker group"
                + " \"prod/default\")")
        // the default: bubblewrap in pods with their own user namespace, nothing unsandboxed
        .contains("the task sandbox is \"bwrap\", in pods with their own user namespace")
        .doesNotContain("WITHOUT a sandbox")
        .doesNotContain("<no value>");
  }

  @Test
  void warnsOfWorkersThatCannotSandbox() {
    String notes = notes("minimal-values.yaml");
    assertThat(notes).contains("tasks may run WITHOUT a sandbox").contains("allowUnsandboxed");
  }

  @Test
  void followsTheValues() {
    String notes = notes("ha-values.yaml");
    assertThat(notes)
        .contains("https://dataplane.example.com/graphql")
        .contains("--from-literal=master-key-v2=")
        .contains("(from Secret dataplane-redis)")
        .contains("worker group \"prod/heavy\"")
        .contains("in pods with their own user namespace")
        .doesNotContain("metrics.serviceMonitor.enabled=true")
        .doesNotContain("<no value>");
  }
}
