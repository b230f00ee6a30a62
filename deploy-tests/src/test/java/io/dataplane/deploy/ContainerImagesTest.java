package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The six service images as an operator gets them: the names and tags the chart deploys by default,
 * pulled from the registry that {@code dev/images} (the {@code images} Maven profile) pushed them
 * to, inspected with skopeo, unpacked with umoci and each started from its own root filesystem
 * (bubblewrap, read-only root, as the image's user, with the image's entrypoint and environment)
 * against the local stack until {@code /q/health/ready} answers. Prints each image's size and time
 * to ready. Runs with {@code -Pimages} ({@code dev/test}, {@code dev/images test}).
 */
@EnabledIfSystemProperty(named = "dataplane.images.test", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImagesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REGISTRY = System.getProperty("dataplane.images.registry");
  private static final String DATABASE =
      System.getenv().getOrDefault("DATAPLANE_TEST_DATABASE", "dataplane_test");
  private static final String ID = "it-" + Long.toHexString(System.nanoTime());

  /** Start order: each service finds the ones it calls already running. */
  private static final List<String> SERVICES =
      List.of(
          "orchestrator-service",
          "secrets-service",
          "filestore-service",
          "scheduler-service",
          "worker-service",
          "gateway-service");

  /** service → image reference as the chart renders it with its default values. */
  private static final Map<String, String> chartImages = new LinkedHashMap<>();

  /** service → container port in the chart. */
  private static final Map<String, Integer> chartPorts = new LinkedHashMap<>();

  private static final Map<String, Integer> hostPorts = new LinkedHashMap<>();
  private static final Map<String, Process> running = new LinkedHashMap<>();
  private static final Map<String, String> report = new TreeMap<>();
  private static final List<Ports.Reservation> reservations = new ArrayList<>();
  private static Path work;
  private static long chartUser;

  @BeforeAll
  static void chartDefaults() throws IOException {
    Chart.Rendered rendered = Chart.render();
    for (JsonNode d : rendered.ofKind("Deployment")) {
      JsonNode pod = d.path("spec").path("template").path("spec");
      JsonNode c = pod.path("containers").get(0);
      String image = c.path("image").asText();
      String service = image.replaceAll("^.*/([^/:]+):.*$", "$1");
      chartImages.putIfAbsent(service, image);
      chartPorts.putIfAbsent(service, c.path("ports").get(0).path("containerPort").asInt());
      chartUser = pod.path("securityContext").path("runAsUser").asLong();
    }
    work = Path.of(System.getProperty("java.io.tmpdir")).resolve("dataplane-images-" + ID);
    Files.createDirectories(work);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String s : SERVICES) {
      Ports.Reservation r = Ports.reserve();
      reservations.add(r);
      hostPorts.put(s, r.port);
    }
  }

  @AfterAll
  static void stopAndReport() throws Exception {
    List<String> names = new ArrayList<>(running.keySet());
    java.util.Collections.reverse(names);
    for (String s : names) {
      Process p = running.get(s);
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
    reservations.forEach(Ports.Reservation::close);
    System.out.println("\nContainer images (" + REGISTRY + "):");
    System.out.printf("%-22s %10s %10s %10s%n", "image", "compressed", "unpacked", "ready in");
    report.values().forEach(System.out::println);
    if (work != null) {
      run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(2));
    }
  }

  @Test
  @Order(1)
  void theChartDeploysTheSixImagesThisBuildMakes() {
    assertThat(chartImages.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
    String version = System.getProperty("dataplane.project.version");
    chartImages.forEach(
        (service, image) -> assertThat(image).isEqualTo("dataplane/" + service + ":" + version));
  }

  @Test
  @Order(2)
  void eachImageIsInspectedUnpackedAndBecomesReadyFromItsOwnRootFilesystem() throws Exception {
    for (String service : SERVICES) {
      startFromImage(service);
    }
  }

  private void startFromImage(String service) throws Exception {
    String ref = "docker://" + REGISTRY + "/" + chartImages.get(service);

    // inspect: user, entrypoint, labels, port
    JsonNode config = JSON.readTree(run(skopeo("inspect", "--config", ref), Duration.ofMinutes(1)));
    JsonNode c = config.path("config");
    assertThat(c.path("User").asText()).as(service + " user").matches("\\d+(:\\d+)?");
    long uid = Long.parseLong(c.path("User").asText().split(":")[0]);
    assertThat(uid).as(service + " runs as non-root").isNotZero().isEqualTo(chartUser);
    List<String> entrypoint = strings(c.path("Entrypoint"));
    assertThat(entrypoint).as(service + " entrypoint").startsWith("java").contains("-jar");
    JsonNode labels = c.path("Labels");
    assertThat(labels.path("org.opencontainers.image.source").asText()).startsWith("https://");
    assertThat(labels.path("org.opencontainers.image.revision").asText()).isNotBlank();
    assertThat(labels.path("org.opencontainers.image.version").asText())
        .isEqualTo(System.getProperty("dataplane.project.version"));
    assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo(service);
    assertThat(labels.path("io.dataplane.health.readiness").asText()).isEqualTo("/q/health/ready");
    assertThat(c.path("ExposedPorts").has(chartPorts.get(service) + "/tcp"))
        .as(service + " exposes the port the chart sends traffic to")
        .isTrue();
    assertThat(strings(c.path("Env")))
        .as("memory from the container limit")
        .anyMatch(e -> e.startsWith("JDK_JAVA_OPTIONS=") && e.contains("-XX:MaxRAMPercentage="));
    JsonNode manifest = JSON.readTree(run(skopeo("inspect", "--raw", ref), Duration.ofMinutes(1)));
    long compressed = 0;
    for (JsonNode layer : manifest.path("layers")) {
      compressed += layer.path("size").asLong();
    }

    // unpack: the registry → an OCI layout → a runtime bundle (rootfs + config.json)
    Path layout = work.resolve("oci");
    run(
        skopeo("copy", "-q", ref, "oci:" + layout + ":" + service).stream()
            .map(a -> a.equals("--tls-verify=false") ? "--src-tls-verify=false" : a)
            .toList(),
        Duration.ofMinutes(3));
    Path bundle = work.resolve(service);
    List<String> unpack = new ArrayList<>(List.of("umoci", "unpack"));
    if (!isRoot()) {
      unpack.add("--rootless");
    }
    unpack.addAll(List.of("--image", layout + ":" + service, bundle.toString()));
    run(unpack, Duration.ofMinutes(3));
    Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path rootfs = bundle.resolve("rootfs");
    long unpacked =
        Long.parseLong(
            run(List.of("du", "-sb", rootfs.toString()), Duration.ofMinutes(1)).split("\\s")[0]);
    JsonNode process = JSON.readTree(bundle.resolve("config.json").toFile()).path("process");
    assertThat(process.path("user").path("uid").asLong()).isEqualTo(uid);

    boolean worker = service.equals("worker-service");
    if (worker) {
      // what tasks use: followed as the image sees its links (awk → /etc/alternatives → mawk)
      for (String tool :
          List.of(
              "bwrap", "bash", "sh", "python3", "setsid", "prlimit", "setpriv", "awk", "sed",
              "grep", "env")) {
        assertThat(inImage(rootfs, "usr/bin/" + tool))
            .as("worker image holds " + tool)
            .isRegularFile();
      }
    } else {
      for (String shell : List.of("usr/bin/sh", "usr/bin/bash", "usr/bin/dash")) {
        assertThat(rootfs.resolve(shell)).as(service + " image has no shell").doesNotExist();
      }
    }
    // what a container runtime provides: mount points, /etc/hosts, /etc/resolv.conf
    for (String dir : List.of("proc", "dev", "sys", "tmp")) {
      Files.createDirectories(rootfs.resolve(dir));
    }
    if (worker) {
      Files.createDirectories(rootfs.resolve("var/lib/dataplane"));
    }
    Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1 localhost\n::1 localhost\n");
    Files.writeString(rootfs.resolve("etc/resolv.conf"), "");

    // start: bubblewrap, the image's root read-only, as the image's user
    List<String> cmd = new ArrayList<>();
    if (isRoot()) {
      cmd.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
    }
    cmd.addAll(
        List.of(
            "bwrap",
            "--unshare-user",
            "--uid",
            String.valueOf(uid),
            "--gid",
            String.valueOf(uid),
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--die-with-parent",
            "--ro-bind",
            rootfs.toString(),
            "/",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp"));
    if (worker) {
      cmd.addAll(List.of("--tmpfs", "/var/lib/dataplane"));
    }
    cmd.addAll(List.of("--chdir", process.path("cwd").asText("/"), "--clearenv"));
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : strings(process.path("env"))) {
      int eq = e.indexOf('=');
      env.put(e.substring(0, eq), e.substring(eq + 1));
    }
    env.putAll(serviceEnv(service));
    env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
    cmd.add("--");
    cmd.addAll(strings(process.path("args")));

    Path log = work.resolve(service + ".log");
    long started = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    running.put(service, p);
    int port = hostPorts.get(service);
    await(service + " ready from its image")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> status(port, "/q/health/ready") == 200 || !p.isAlive());
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(p.isAlive()).as(service + " died at start:\n" + tail(log)).isTrue();
    assertThat(status(port, "/q/health/live")).isEqualTo(200);
    if (worker) {
      // sandbox=auto chose bwrap: bubblewrap started inside the image (else "none")
      assertThat(body(port, "/q/health/ready").toLowerCase())
          .as("the worker's sandbox inside its image")
          .containsPattern("\"sandbox\"\\s*:\\s*\"bwrap\"");
    }
    String line =
        String.format(
            "%-22s %7.1f MB %7.1f MB %8.1f s", service, compressed / 1e6, unpacked / 1e6, seconds);
    report.put(String.format("%02d", report.size()), line);
    System.out.println("image " + line);
  }

  /** What the chart would give the service, pointed at the local stack and the test database. */
  private static Map<String, String> serviceEnv(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", String.valueOf(hostPorts.get(service)));
    env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    // one service credential per caller (docs/security.md)
    for (String caller :
        List.of("GATEWAY", "WORKER", "ORCHESTRATOR", "SCHEDULER", "SECRETS", "FILESTORE")) {
      env.put(
          "DATAPLANE_SERVICE_TOKENS_" + caller,
          "image-test-" + caller.toLowerCase() + "-token-0123456789");
    }
    env.put("DATAPLANE_ATTEMPT_TOKEN_KEY", "aW1hZ2UtdGVzdC1hdHRlbXB0LXRva2VuLWtleS0wMTIzNDU2Nzg5");
    env.put("DATAPLANE_SECRETS_MASTER_KEYS_V1", "aW1hZ2UtdGVzdC1tYXN0ZXIta2V5LTAxMjM0NTY3ODk=");
    for (String s : List.of("orchestrator", "secrets", "filestore", "scheduler")) {
      env.put(
          "DATAPLANE_" + s.toUpperCase() + "_URL",
          "http://127.0.0.1:" + hostPorts.get(s + "-service"));
    }
    env.put("DATAPLANE_ORCHESTRATOR_CONSUMER_GROUP", "dataplane-" + ID + "-orchestrator");
    env.put("DATAPLANE_SCHEDULER_CONSUMER_GROUP", "dataplane-" + ID + "-scheduler");
    env.put("DATAPLANE_SCHEDULER_INSTANCE_ID", ID + "-scheduler");
    if (service.equals("worker-service")) {
      env.put("DATAPLANE_WORKER_GROUPS", ID + "/default");
      env.put("DATAPLANE_WORKER_INSTANCE_ID", ID + "-worker");
      // auto: the worker probes bubblewrap at start and says in /q/health/ready what it chose
      env.put("DATAPLANE_WORKER_SANDBOX", "auto");
      env.put("DATAPLANE_WORKER_WORK_DIR", "/var/lib/dataplane/work");
      env.put("DATAPLANE_WORKER_CACHE_DIR", "/var/lib/dataplane/bundles");
    } else {
      env.put(
          "QUARKUS_DATASOURCE_JDBC_URL",
          "jdbc:postgresql://127.0.0.1:5432/"
              + DATABASE
              + "?currentSchema="
              + service.replace("-service", "")
              + "&connectTimeout=3&socketTimeout=30");
    }
    // a small heap: six JVMs share this machine with the rest of the build
    env.put("JDK_JAVA_OPTIONS", "-XX:MaxRAMPercentage=75.0 -Xmx256m -XX:+UseSerialGC");
    return env;
  }

  private static List<String> skopeo(String... args) {
    List<String> cmd = new ArrayList<>(List.of("skopeo", args[0], "--tls-verify=false"));
    cmd.addAll(List.of(args).subList(1, args.length));
    return cmd;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  /**
   * The file a path names inside the image: symbolic links are followed with absolute targets
   * resolved against the image's root (not this machine's), so a link out of the image is not
   * mistaken for a file in it.
   */
  private static Path inImage(Path rootfs, String path) throws IOException {
    Path p = rootfs.resolve(path);
    for (int hops = 0; hops < 40 && Files.isSymbolicLink(p); hops++) {
      Path target = Files.readSymbolicLink(p);
      p =
          target.isAbsolute()
              ? rootfs.resolve(target.toString().substring(1))
              : p.resolveSibling(target);
    }
    return p;
  }

  private static String run(List<String> cmd, Duration limit) {
    try {
      Path out = Files.createTempFile("dp-images", ".out");
      try {
        Process p =
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(cmd + " did not finish in " + limit);
        }
        String text = Files.readString(out);
        if (p.exitValue() != 0) {
          throw new AssertionError(cmd + " failed (" + p.exitValue() + "):\n" + text);
        }
        return text;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static int status(int port, String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  private static String body(int port, String path) throws IOException {
    try (var in = URI.create("http://127.0.0.1:" + port + path).toURL().openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static String tail(Path log) {
    try (Stream<String> lines = Files.lines(log)) {
      List<String> all = lines.toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
