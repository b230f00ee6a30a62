package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every key of values.yaml is documented in docs/deploy.md (and commented in values.yaml). */
class ValuesDocumentedTest {

  /** Maps whose keys are the user's (labels, security contexts): documented as a whole. */
  private static final Set<String> FREE_FORM =
      Set.of(
          "commonLabels",
          "podSecurityContext",
          "containerSecurityContext",
          "podAnnotations",
          "podLabels",
          "nodeSelector",
          "affinity",
          "config",
          "labels",
          "annotations",
          "resources",
          "requests",
          "limits");

  private static final Set<String> SERVICES =
      Set.of("gateway", "orchestrator", "scheduler", "secrets", "filestore");

  @Test
  void everyValueIsInTheValuesTableOfTheDocs() throws IOException {
    JsonNode values = Chart.YAML.readTree(Chart.chartDir().resolve("values.yaml").toFile());
    List<String> docs =
        Files.readAllLines(Chart.repoRoot().resolve("docs/deploy.md")).stream()
            .filter(l -> l.startsWith("| `"))
            .toList();
    List<String> paths = new ArrayList<>();
    collect(values, "", paths);
    assertThat(paths).hasSizeGreaterThan(100);
    List<String> undocumented =
        paths.stream().filter(p -> !documented(p, docs)).distinct().toList();
    assertThat(undocumented).as("values missing from docs/deploy.md's table").isEmpty();
  }

  @Test
  void everyTopLevelKeyIsCommentedInValuesYaml() throws IOException {
    List<String> lines = Files.readAllLines(Chart.chartDir().resolve("values.yaml"));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.matches("^[a-zA-Z]+:.*")) {
        String before = i > 0 ? lines.get(i - 1) : "";
        assertThat(before.startsWith("#") || before.isBlank() && nextIsComment(lines, i))
            .as("values.yaml line %d '%s' has a comment above or below", i + 1, line)
            .isTrue();
      }
    }
  }

  private static boolean nextIsComment(List<String> lines, int i) {
    return i + 1 < lines.size() && lines.get(i + 1).strip().startsWith("#");
  }

  private static void collect(JsonNode node, String prefix, List<String> paths) {
    node.fields()
        .forEachRemaining(
            field -> {
              String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
              if (field.getValue().isObject() && !FREE_FORM.contains(field.getKey())) {
                collect(field.getValue(), path, paths);
              } else {
                paths.add(path);
              }
            });
  }

  /**
   * Whether a table row names the path: as `a.b.c`, as `<service>.b.c` for a service's key, as
   * `a.b.*`, or as `a.b` followed on the same row by `.c`.
   */
  static boolean documented(String path, List<String> rows) {
    List<String> forms = new ArrayList<>(List.of(path));
    String first = path.split("\\.", 2)[0];
    if (SERVICES.contains(first) && path.contains(".")) {
      forms.add("<service>" + path.substring(first.length()));
    }
    for (String form : forms) {
      String[] parts = form.split("\\.");
      for (String row : rows) {
        if (row.contains("`" + form + "`") || row.contains("`" + form + ",")) {
          return true;
        }
        for (int cut = parts.length - 1; cut >= 1; cut--) {
          String head = String.join(".", List.of(parts).subList(0, cut));
          String tail = String.join(".", List.of(parts).subList(cut, parts.length));
          if (row.contains("`" + head + ".*`")
              || row.startsWith("| `" + head + "`")
              || row.startsWith("| `" + head + ",")) {
            return true;
          }
          if (row.contains("`" + head) && row.contains("`." + tail + "`")) {
            return true;
          }
          if (row.contains("`" + head + "." + parts[cut]) && cut == parts.length - 1) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
