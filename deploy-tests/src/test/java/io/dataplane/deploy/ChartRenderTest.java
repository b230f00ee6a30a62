package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders the chart with the default, HA and minimal values and checks every object: valid for the
 * Kubernetes (and Prometheus Operator) schemas with unknown fields rejected, and every Deployment
 * with probes, resources and a non-root, read-only security context; references between objects
 * resolve.
 */
class ChartRenderTest {

  private static final Set<String> SERVICES =
      Set.of("gateway", "orchestrator", "scheduler", "secrets", "filestore", "worker");

  static Stream<Arguments> renderings() {
    return Stream.of(
        Arguments.of("default", Chart.render()),
        Arguments.of("ha", Chart.render("ha-values.yaml")),
        Arguments.of("minimal", Chart.render("minimal-values.yaml")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyObjectIsValidForItsSchema(String values, Chart.Rendered rendered) {
    assertThat(rendered.objects()).isNotEmpty();
    for (JsonNode object : rendered.objects()) {
      KubernetesSchemas.validate(object);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void namesAreUniqueValidAndLabelled(String values, Chart.Rendered rendered) {
    Set<String> seen = new HashSet<>();
    for (JsonNode object : rendered.objects()) {
      JsonNode metadata = object.path("metadata");
      String name = metadata.path("name").asText();
      assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
      assertThat(seen.add(object.path("kind").asText() + "/" + name))
          .as("duplicate %s %s", object.path("kind").asText(), name)
          .isTrue();
      assertThat(metadata.path("labels").path("app.kubernetes.io/instance").asText())
          .isEqualTo(Chart.RELEASE);
      assertThat(metadata.path("labels").path("app.kubernetes.io/part-of").asText())
          .isEqualTo("dataplane");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyDeploymentHasProbesResourcesAndARestrictedSecurityContext(
      String values, Chart.Rendered rendered) {
    List<JsonNode> deployments = rendered.ofKind("Deployment");
    assertThat(deployments).isNotEmpty();
    for (JsonNode deployment : deployments) {
      String name = deployment.path("metadata").path("name").asText();
      JsonNode pod = deployment.path("spec").path("template").path("spec");
      JsonNode podSecurity = pod.path("securityContext");
      assertThat(pod.path("containers")).as(name).hasSize(1);
      for (JsonNode container : pod.path("containers")) {
        assertThat(container.at("/livenessProbe/httpGet/path").asText())
            .as(name)
            .isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText())
            .as(name)
            .isEqualTo("/q/health/ready");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).as(name).isNotEmpty();
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
          assertThat(container.path(probe).at("/httpGet/port").asText()).isEqualTo("http");
        }
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        for (String kind : List.of("requests", "limits")) {
          for (String resource : List.of("cpu", "memory")) {
            assertThat(container.path("resources").path(kind).path(resource).asText())
                .as("%s %s.%s", name, kind, resource)
                .isNotEmpty();
          }
        }
        JsonNode security = container.path("securityContext");
        assertThat(
                security.path("runAsNonRoot").asBoolean(false)
                    || podSecurity.path("runAsNonRoot").asBoolean(false))
            .as("%s runs as non-root", name)
            .isTrue();
        assertThat(podSecurity.path("runAsUser").asInt(0)).as(name).isPositive();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean(false)).as(name).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
        assertThat(security.at("/capabilities/drop").toString()).as(name).contains("\"ALL\"");
        assertThat(mountPaths(container)).as(name).contains("/tmp");
      }
      Set<String> volumes = new HashSet<>();
      pod.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
      for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
        assertThat(volumes).as(name).contains(mount.path("name").asText());
      }
      assertThat(pod.path("volumes").findValues("emptyDir")).as(name).isNotEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void referencesResolve(String values, Chart.Rendered rendered) {
    Map<String, JsonNode> podLabelsByDeployment = new HashMap<>();
    for (JsonNode deployment : rendered.ofKind("Deployment")) {
      String name = deployment.path("metadata").path("name").asText();
      JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
      assertThat(matches(deployment.at("/spec/selector/matchLabels"), podLabels))
          .as("%s selects its own pods", name)
          .isTrue();
      podLabelsByDeployment.put(name, podLabels);
      JsonNode pod = deployment.at("/spec/template/spec");
      if (!rendered.ofKind("ServiceAccount").isEmpty()) {
        rendered.get("ServiceAccount", pod.path("serviceAccountName").asText());
      }
      for (JsonNode from : pod.at("/containers/0/envFrom")) {
        if (from.has("configMapRef")) {
          rendered.get("ConfigMap", from.at("/configMapRef/name").asText());
        }
      }
      String component = deployment.at("/metadata/labels/app.kubernetes.io~1component").asText();
      assertThat(envNames(deployment))
          .as(name)
          .contains("DATAPLANE_SERVICE_TOKENS_" + component.toUpperCase(java.util.Locale.ROOT));
    }
    for (JsonNode service : rendered.ofKind("Service")) {
      long selected =
          podLabelsByDeployment.values().stream()
              .filter(labels -> matches(service.at("/spec/selector"), labels))
              .count();
      assertThat(selected).as(service.at("/metadata/name").asText()).isEqualTo(1);
      assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    }
    for (String kind : List.of("PodDisruptionBudget", "NetworkPolicy")) {
      for (JsonNode object : rendered.ofKind(kind)) {
        JsonNode selector =
            kind.equals("NetworkPolicy")
                ? object.at("/spec/podSelector/matchLabels")
                : object.at("/spec/selector/matchLabels");
        assertThat(podLabelsByDeployment.values().stream().filter(l -> matches(selector, l)))
            .as("%s %s", kind, object.at("/metadata/name").asText())
            .hasSize(1);
      }
    }
    for (JsonNode hpa : rendered.ofKind("HorizontalPodAutoscaler")) {
      JsonNode target = rendered.get("Deployment", hpa.at("/spec/scaleTargetRef/name").asText());
      assertThat(target.at("/spec/replicas").isMissingNode())
          .as("a Deployment under an HPA leaves replicas to it")
          .isTrue();
      assertThat(target.at("/metadata/labels/app.kubernetes.io~1component").asText())
          .isIn("gateway", "worker");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void eachServiceGetsTheConfigurationItReads(String values, Chart.Rendered rendered) {
    for (JsonNode deployment : rendered.ofKind("Deployment")) {
      String component = deployment.at("/metadata/labels/app.kubernetes.io~1component").asText();
      assertThat(SERVICES).contains(component);
      Map<String, String> config = config(rendered, deployment);
      Set<String> env = envNames(deployment);
      assertThat(config).containsKey("KAFKA_BOOTSTRAP_SERVERS");
      if (component.equals("worker")) {
        assertThat(config).doesNotContainKey("QUARKUS_DATASOURCE_JDBC_URL");
        // one environment/group pair, named in the Deployment's worker-group label
        assertThat(config.get("DATAPLANE_WORKER_GROUPS"))
            .matches("[a-z0-9-]+/[a-z0-9-]+")
            .isEqualTo(
                deployment
                    .at("/metadata/labels/dataplane.io~1worker-group")
                    .asText()
                    .replaceFirst(
                        "^(" + config.get("DATAPLANE_WORKER_GROUPS").split("/")[0] + ")-", "$1/"));
        List<String> mounts = mountPaths(deployment.at("/spec/template/spec/containers/0"));
        for (String dir : List.of("DATAPLANE_WORKER_WORK_DIR", "DATAPLANE_WORKER_CACHE_DIR")) {
          assertThat(mounts)
              .as("%s lies on a writable volume", dir)
              .anyMatch(m -> config.get(dir).startsWith(m + "/"));
        }
        assertThat(config.get("DATAPLANE_WORKER_ORCHESTRATOR_URL")).startsWith("http://");
      } else {
        assertThat(config.get("QUARKUS_DATASOURCE_JDBC_URL"))
            .startsWith("jdbc:postgresql://")
            .contains("currentSchema=" + component + "&");
        assertThat(env).contains("QUARKUS_DATASOURCE_PASSWORD");
      }
      assertThat(env.contains("DATAPLANE_ATTEMPT_TOKEN_KEY"))
          .as("%s gets the attempt-token key", component)
          .isEqualTo(component.equals("orchestrator") || component.equals("secrets"));
      boolean masterKeysInEnv =
          env.stream().anyMatch(e -> e.startsWith("DATAPLANE_SECRETS_MASTER_KEYS_"));
      boolean masterKeysInFiles =
          config.containsKey("DATAPLANE_SECRETS_MASTER_KEY_DIR")
              && mountPaths(deployment.at("/spec/template/spec/containers/0"))
                  .contains(config.get("DATAPLANE_SECRETS_MASTER_KEY_DIR"));
      assertThat(masterKeysInEnv || masterKeysInFiles)
          .as("%s gets master keys", component)
          .isEqualTo(component.equals("secrets"));
      // one credential per caller: a pod holds its own and those of the callers it accepts only
      Set<String> tokens =
          env.stream()
              .filter(e -> e.startsWith("DATAPLANE_SERVICE_TOKENS_"))
              .map(e -> e.substring("DATAPLANE_SERVICE_TOKENS_".length()).toLowerCase())
              .collect(java.util.stream.Collectors.toSet());
      Map<String, Set<String>> expected =
          Map.of(
              "gateway",
              Set.of("gateway"),
              "worker",
              Set.of("worker"),
              "orchestrator",
              Set.of(
                  "orchestrator",
                  "gateway",
                  "worker",
                  "scheduler",
                  "secrets",
                  "filestore",
                  "operator"),
              "scheduler",
              Set.of("scheduler", "gateway", "operator"),
              "secrets",
              Set.of("secrets", "gateway", "worker", "orchestrator", "scheduler", "operator"),
              "filestore",
              Set.of("filestore", "gateway", "worker", "orchestrator", "operator"));
      assertThat(tokens).as("%s service credentials", component).isEqualTo(expected.get(component));
      assertThat(env).doesNotContain("DATAPLANE_SERVICE_TOKEN");
      // Kafka: each service its own SASL principal where SASL is configured (ha), none otherwise
      if (values.equals("ha")) {
        assertThat(config).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        assertThat(config).containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        JsonNode jaas = null;
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
          if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
            jaas = e;
          }
        }
        assertThat(jaas).as("%s has a Kafka principal", component).isNotNull();
        assertThat(jaas.at("/valueFrom/secretKeyRef/key").asText())
            .isEqualTo("kafka-jaas-config-" + component);
      } else {
        assertThat(config).containsEntry("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
        assertThat(env).doesNotContain("KAFKA_SASL_JAAS_CONFIG");
      }
      // notifications (docs/notifications.md): the console link follows the ingress's host, and
      // internal targets are opened only where the values name them
      if (component.equals("scheduler") && values.equals("ha")) {
        assertThat(config)
            .containsEntry(
                "DATAPLANE_SCHEDULER_NOTIFICATIONS_CONSOLE_URL", "https://dataplane.example.com")
            .containsEntry(
                "DATAPLANE_SCHEDULER_NOTIFICATIONS_ALLOWED_HOSTS", "smtp.internal,10.20.0.0/16");
      } else {
        assertThat(config).doesNotContainKey("DATAPLANE_SCHEDULER_NOTIFICATIONS_ALLOWED_HOSTS");
      }
      boolean gateway = component.equals("gateway");
      assertThat(config.containsKey("QUARKUS_OIDC_AUTH_SERVER_URL")).isEqualTo(gateway);
      assertThat(config.containsKey("QUARKUS_REDIS_HOSTS") || env.contains("QUARKUS_REDIS_HOSTS"))
          .isEqualTo(gateway);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void noSecretValueIsRendered(String values, Chart.Rendered rendered) {
    assertThat(rendered.ofKind("Secret")).isEmpty();
    for (JsonNode configMap : rendered.ofKind("ConfigMap")) {
      configMap
          .path("data")
          .fieldNames()
          .forEachRemaining(
              key ->
                  assertThat(key)
                      .doesNotContainPattern(
                          "PASSWORD|_TOKEN$|TOKEN_KEY|MASTER_KEYS_|CREDENTIALS_SECRET|SECRET_KEY"));
    }
  }

  static Set<String> envNames(JsonNode deployment) {
    Set<String> names = new HashSet<>();
    deployment
        .at("/spec/template/spec/containers/0/env")
        .forEach(e -> names.add(e.path("name").asText()));
    return names;
  }

  static Map<String, String> config(Chart.Rendered rendered, JsonNode deployment) {
    Map<String, String> config = new HashMap<>();
    for (JsonNode from : deployment.at("/spec/template/spec/containers/0/envFrom")) {
      if (from.has("configMapRef")) {
        JsonNode data =
            rendered.get("ConfigMap", from.at("/configMapRef/name").asText()).path("data");
        data.fields().forEachRemaining(f -> config.put(f.getKey(), f.getValue().asText()));
      }
    }
    return config;
  }

  static List<String> mountPaths(JsonNode container) {
    List<String> paths = new ArrayList<>();
    container.path("volumeMounts").forEach(m -> paths.add(m.path("mountPath").asText()));
    return paths;
  }

  /** Whether every label of the selector is on the object with the same value. */
  static boolean matches(JsonNode selector, JsonNode labels) {
    if (selector.isMissingNode() || selector.isEmpty()) {
      return false;
    }
    var it = selector.fields();
    while (it.hasNext()) {
      var entry = it.next();
      if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }
}
