package io.dataplane.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The plain manifests of k8s/: the chart rendered as release "dataplane" in namespace "dataplane"
 * with k8s/render-values.yaml, one file per chart template, the Prometheus Operator objects apart
 * in k8s/monitoring/, each directory with a kustomization.yaml listing its files.
 */
final class K8sManifests {

  static final String RELEASE = "dataplane";
  static final String NAMESPACE = "dataplane";
  static final String VALUES = "render-values.yaml";
  private static final Set<String> MONITORING =
      Set.of("servicemonitor.yaml", "prometheusrule.yaml");
  private static final String SOURCE = "# Source: dataplane/templates/";
  private static final String HEADER =
      "# Rendered from helm/dataplane by scripts/render-k8s: do not edit; change the chart or\n"
          + "# k8s/render-values.yaml and re-render.\n";

  private K8sManifests() {}

  static Path dir() {
    return Chart.repoRoot().resolve("k8s");
  }

  /** What k8s/ must hold: relative path to content. */
  static Map<String, String> expected() {
    String text = Chart.template(RELEASE, NAMESPACE).withValuesFile(dir().resolve(VALUES)).call();
    Map<String, List<String>> docsByFile = new LinkedHashMap<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      String body = stripHelmLabels(doc).strip();
      if (body.isEmpty()) {
        continue;
      }
      if (!body.startsWith(SOURCE)) {
        throw new IllegalStateException("a rendered document without its source: " + body);
      }
      String file = body.substring(SOURCE.length(), body.indexOf('\n'));
      String target = MONITORING.contains(file) ? "monitoring/" + file : file;
      docsByFile.computeIfAbsent(target, k -> new ArrayList<>()).add(body + "\n");
    }
    Map<String, String> files = new TreeMap<>();
    List<String> base = new ArrayList<>();
    List<String> monitoring = new ArrayList<>();
    docsByFile.forEach(
        (file, docs) -> {
          files.put(file, HEADER + "---\n" + String.join("---\n", docs));
          if (file.startsWith("monitoring/")) {
            monitoring.add(file.substring("monitoring/".length()));
          } else {
            base.add(file);
          }
        });
    files.put("kustomization.yaml", kustomization(base, "Dataplane without Helm"));
    if (!monitoring.isEmpty()) {
      files.put(
          "monitoring/kustomization.yaml",
          kustomization(monitoring, "ServiceMonitor and alert rules (Prometheus Operator CRDs)"));
    }
    return files;
  }

  private static String kustomization(List<String> resources, String what) {
    StringBuilder out = new StringBuilder(HEADER);
    out.append("# ").append(what).append(": kubectl apply -k <this directory>\n");
    out.append("apiVersion: kustomize.config.k8s.io/v1beta1\n");
    out.append("kind: Kustomization\n");
    out.append("namespace: ").append(NAMESPACE).append('\n');
    out.append("resources:\n");
    resources.forEach(r -> out.append("  - ").append(r).append('\n'));
    return out.toString();
  }

  /** Plain manifests are not managed by Helm: drop the labels that say so. */
  private static String stripHelmLabels(String doc) {
    StringBuilder out = new StringBuilder();
    for (String line : doc.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("helm.sh/chart:")
          || trimmed.equals("app.kubernetes.io/managed-by: Helm")) {
        continue;
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** What k8s/ holds now: every YAML file but the render values. */
  static Map<String, String> actual() {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir())) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        String relative = dir().relativize(path).toString().replace('\\', '/');
        if (relative.endsWith(".yaml") && !relative.equals(VALUES)) {
          files.put(relative, Files.readString(path));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Rewrites k8s/ to the expected content, removing stale manifests. */
  static void write(Map<String, String> expected) throws IOException {
    for (String stale : actual().keySet()) {
      if (!expected.containsKey(stale)) {
        Files.delete(dir().resolve(stale));
      }
    }
    for (Map.Entry<String, String> file : expected.entrySet()) {
      Path path = dir().resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
  }
}
