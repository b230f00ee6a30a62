package io.dataplane.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The chart under test: rendering it with helm-java (no helm binary) and reading the result. */
final class Chart {

  static final String RELEASE = "dp";
  static final String NAMESPACE = "dataplane-test";
  static final YAMLMapper YAML = new YAMLMapper();

  private Chart() {}

  /** The repository root: set by surefire, or found from the working directory. */
  static Path repoRoot() {
    String configured = System.getProperty("dataplane.repo.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    Path dir = start.toAbsolutePath().normalize();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dataplane"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no helm/dataplane above " + start);
    }
    return dir;
  }

  static Path chartDir() {
    return repoRoot().resolve("helm/dataplane");
  }

  /**
   * A values file shipped with the chart (ci/*-values.yaml) or with the tests (src/test/resources).
   */
  static Path valuesFile(String name) {
    Path shipped = chartDir().resolve("ci").resolve(name);
    if (Files.exists(shipped)) {
      return shipped;
    }
    Path test = repoRoot().resolve("deploy-tests/src/test/resources/values").resolve(name);
    if (Files.exists(test)) {
      return test;
    }
    throw new IllegalArgumentException("no values file " + name);
  }

  static TemplateCommand template(String release, String namespace) {
    return new Helm(chartDir()).template().withName(release).withNamespace(namespace);
  }

  /** Renders with the given values files (none: the defaults) and returns the manifest text. */
  static String renderText(List<Path> valuesFiles, Map<String, Object> sets) {
    TemplateCommand command = template(RELEASE, NAMESPACE);
    for (Path file : valuesFiles) {
      command = command.withValuesFile(file);
    }
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      command = command.set(set.getKey(), set.getValue());
    }
    return command.call();
  }

  static Rendered render(String... valuesFiles) {
    List<Path> files = new ArrayList<>();
    for (String name : valuesFiles) {
      files.add(valuesFile(name));
    }
    return new Rendered(parse(renderText(files, Map.of())));
  }

  static Rendered renderWith(Map<String, Object> sets) {
    return new Rendered(parse(renderText(List.of(), sets)));
  }

  /** Every non-empty YAML document of a multi-document text. */
  static List<JsonNode> parse(String manifests) {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(manifests)) {
      var it = new ObjectMapper().readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** The objects of one rendering. */
  record Rendered(List<JsonNode> objects) {

    List<JsonNode> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
      return ofKind(kind).stream()
          .filter(o -> name.equals(o.path("metadata").path("name").asText()))
          .findFirst();
    }

    JsonNode get(String kind, String name) {
      return find(kind, name)
          .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " rendered"));
    }
  }
}
