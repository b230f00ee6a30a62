package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart against the services it deploys: ports, image names, user and schemas as each service's
 * application.properties sets them, and every DATAPLANE_* variable the chart gives a service read
 * by that service (its application.properties or its @ConfigMapping interfaces).
 */
class ServiceContractTest {

  private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"");
  private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)");
  private static final Pattern METHOD =
      Pattern.compile("^\\s*(?:default\\s+)?([\\w.]+(?:<[^;()]*>)?)\\s+(\\w+)\\(\\)\\s*;");

  private final Chart.Rendered rendered = Chart.render("ha-values.yaml");

  static Properties properties(String service) throws IOException {
    Properties p = new Properties();
    Path file = Chart.repoRoot().resolve(service + "/src/main/resources/application.properties");
    try (Reader reader = Files.newBufferedReader(file)) {
      p.load(reader);
    }
    return p;
  }

  private static String service(JsonNode deployment) {
    return deployment.at("/metadata/labels/app.kubernetes.io~1component").asText() + "-service";
  }

  @Test
  void portsImagesUserAndSchemasMatchTheServices() throws IOException {
    assertThat(rendered.ofKind("Deployment")).isNotEmpty();
    for (JsonNode deployment : rendered.ofKind("Deployment")) {
      String service = service(deployment);
      Properties p = properties(service);
      JsonNode pod = deployment.at("/spec/template/spec");
      JsonNode container = pod.at("/containers/0");
      assertThat(container.at("/ports/0/containerPort").asText())
          .as("%s port", service)
          .isEqualTo(p.getProperty("quarkus.http.port"));
      assertThat(container.path("image").asText())
          .as("%s image", service)
          .contains(
              "/"
                  + p.getProperty("quarkus.container-image.group")
                  + "/"
                  + p.getProperty("quarkus.container-image.name")
                  + ":");
      assertThat(pod.at("/securityContext/runAsUser").asText())
          .as("%s user", service)
          .isEqualTo(p.getProperty("quarkus.jib.user"));
      String schema = p.getProperty("quarkus.flyway.schemas");
      String jdbcUrl =
          ChartRenderTest.config(rendered, deployment).get("QUARKUS_DATASOURCE_JDBC_URL");
      if (schema == null) {
        assertThat(jdbcUrl).as("%s has no database", service).isNull();
      } else {
        assertThat(jdbcUrl).as(service).contains("currentSchema=" + schema + "&");
      }
    }
  }

  @Test
  void everyDataplaneVariableIsReadByTheServiceThatGetsIt() throws IOException {
    List<String> unread = new ArrayList<>();
    Set<String> commonRead = new HashSet<>();
    Map<String, String> common =
        toMap(rendered.get("ConfigMap", Chart.RELEASE + "-dataplane-common").path("data"));
    for (JsonNode deployment : rendered.ofKind("Deployment")) {
      String service = service(deployment);
      ConfigReader reader = new ConfigReader(service);
      Set<String> given = new TreeSet<>(ChartRenderTest.envNames(deployment));
      Map<String, String> config = ChartRenderTest.config(rendered, deployment);
      config.keySet().stream().filter(k -> !common.containsKey(k)).forEach(given::add);
      for (String name : given) {
        if (name.startsWith("DATAPLANE_") && !reader.reads(name)) {
          unread.add(name + " given to " + service);
        }
      }
      common.keySet().stream()
          .filter(k -> k.startsWith("DATAPLANE_") && reader.reads(k))
          .forEach(commonRead::add);
    }
    common.keySet().stream()
        .filter(k -> k.startsWith("DATAPLANE_") && !commonRead.contains(k))
        .forEach(k -> unread.add(k + " (common ConfigMap) read by no service"));
    assertThat(unread)
        .as(
            "variables the chart sets that no configuration key reads"
                + " (rename them in helm/dataplane/templates/_config.tpl or deployments.yaml)")
        .isEmpty();
  }

  @Test
  void everyDataplaneMetricTheDashboardQueriesIsRegisteredByItsServices() throws IOException {
    Pattern literal = Pattern.compile("\"(dataplane\\.[a-z0-9._]+)\"");
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Set<String>> metric : MonitoringTest.metricsTxt().entrySet()) {
      if (!metric.getKey().startsWith("dataplane_")) {
        continue;
      }
      String meter =
          normalize(
              metric
                  .getKey()
                  .replaceAll("_(total|bucket|max|count|sum)$", "")
                  .replaceAll("_seconds$", ""));
      for (String service : metric.getValue()) {
        Set<String> meters = new HashSet<>();
        try (Stream<Path> files =
            Files.walk(Chart.repoRoot().resolve(service + "/src/main/java"))) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            Matcher m = literal.matcher(Files.readString(file));
            while (m.find()) {
              meters.add(normalize(m.group(1)));
            }
          }
        }
        if (!meters.contains(meter)) {
          missing.add(metric.getKey() + " in " + service);
        }
      }
    }
    assertThat(missing)
        .as("metrics of helm/dataplane/metrics.txt that no meter of the service named would expose")
        .isEmpty();
  }

  private static Map<String, String> toMap(JsonNode data) {
    Map<String, String> map = new HashMap<>();
    data.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().asText()));
    return map;
  }

  private static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /** What configuration one service reads. */
  static final class ConfigReader {
    private final String propertiesText;
    private final Set<String> propertyKeys = new HashSet<>();
    private final Set<String> mappedKeys = new HashSet<>();
    private final Set<String> mapPrefixes = new HashSet<>();

    ConfigReader(String service) throws IOException {
      Path root = Chart.repoRoot().resolve(service);
      propertiesText = Files.readString(root.resolve("src/main/resources/application.properties"));
      for (String key : properties(service).stringPropertyNames()) {
        propertyKeys.add(normalize(key.replaceFirst("^%[^.]+\\.", "")));
      }
      Path sources = root.resolve("src/main/java");
      if (Files.isDirectory(sources)) {
        try (Stream<Path> files = Files.walk(sources)) {
          for (Path file : files.filter(f -> f.toString().endsWith("Config.java")).toList()) {
            readMapping(Files.readString(file));
          }
        }
      }
    }

    boolean reads(String env) {
      String norm = normalize(env);
      // common-lib's ServiceCredentials reads the service credentials of every caller itself
      if (env.startsWith("DATAPLANE_SERVICE_TOKENS_")
          && propertiesText.contains("dataplane.service-auth.enabled=true")) {
        return true;
      }
      return propertiesText.contains("${" + env + "}")
          || propertiesText.contains("${" + env + ":")
          || propertyKeys.contains(norm)
          || mappedKeys.contains(norm)
          || mapPrefixes.stream().anyMatch(p -> norm.startsWith(p) && norm.length() > p.length());
    }

    /** Collects the keys of a @ConfigMapping interface and its nested interfaces. */
    private void readMapping(String source) {
      Matcher mapping = MAPPING.matcher(source);
      if (!mapping.find()) {
        return;
      }
      Map<String, List<String[]>> methods = new HashMap<>();
      Deque<String> open = new ArrayDeque<>();
      Deque<Integer> depths = new ArrayDeque<>();
      String root = null;
      int depth = 0;
      for (String line : source.split("\n")) {
        String code = line.replaceAll("//.*", "");
        Matcher iface = INTERFACE.matcher(code);
        if (iface.find() && !code.strip().startsWith("*")) {
          open.push(iface.group(1));
          depths.push(depth);
          if (root == null) {
            root = iface.group(1);
          }
        }
        Matcher method = METHOD.matcher(code);
        if (method.find() && !open.isEmpty()) {
          methods
              .computeIfAbsent(open.peek(), k -> new ArrayList<>())
              .add(new String[] {method.group(1), method.group(2)});
        }
        for (char c : code.toCharArray()) {
          if (c == '{') {
            depth++;
          } else if (c == '}') {
            depth--;
            if (!depths.isEmpty() && depth == depths.peek()) {
              depths.pop();
              open.pop();
            }
          }
        }
      }
      if (root != null) {
        walk(methods, root, normalize(mapping.group(1)), 0);
      }
    }

    private void walk(Map<String, List<String[]>> methods, String iface, String prefix, int level) {
      for (String[] m : methods.getOrDefault(iface, List.of())) {
        String type = m[0].replaceAll("^(Optional|List|Set)<(.*)>$", "$2");
        String key = prefix + normalize(m[1]);
        if (m[0].startsWith("Map<")) {
          mapPrefixes.add(key);
        } else if (methods.containsKey(type) && level < 4) {
          walk(methods, type, key, level + 1);
        } else {
          mappedKeys.add(key);
        }
      }
    }
  }
}
