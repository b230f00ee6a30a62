package io.dataplane.systemtest;

import io.dataplane.testing.Ports;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One packaged service (target/quarkus-app/quarkus-run.jar) run as a child process. */
final class ServiceProcess implements AutoCloseable {

  /** The service credential of each calling service (DATAPLANE_SERVICE_TOKENS_<CALLER>). */
  static final Map<String, String> SERVICE_TOKENS =
      Map.of(
          "GATEWAY", "system-test-gateway-token-0123456789",
          "WORKER", "system-test-worker-token-0123456789",
          "ORCHESTRATOR", "system-test-orchestrator-token-0123456789",
          "SCHEDULER", "system-test-scheduler-token-0123456789",
          "SECRETS", "system-test-secrets-token-0123456789",
          "FILESTORE", "system-test-filestore-token-0123456789");

  /** Keys every service may need; test-only values. */
  static final Map<String, String> TEST_ENV = testEnv();

  private static Map<String, String> testEnv() {
    Map<String, String> env = new HashMap<>();
    env.put(
        "DATAPLANE_ATTEMPT_TOKEN_KEY", "c3lzdGVtLXRlc3QtYXR0ZW1wdC10b2tlbi1rZXktMDEyMzQ1Njc4OQ==");
    env.put("DATAPLANE_SECRETS_MASTER_KEYS_V1", "c3lzdGVtLXRlc3QtbWFzdGVyLWtleS0wMTIzNDU2Nzg=");
    env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
    SERVICE_TOKENS.forEach((caller, token) -> env.put("DATAPLANE_SERVICE_TOKENS_" + caller, token));
    return Map.copyOf(env);
  }

  /** The gateway's token: what a test calling a backend directly sends. */
  static String gatewayToken() {
    return SERVICE_TOKENS.get("GATEWAY");
  }

  final String name;
  final int port;
  final Path log;
  private final Process process;
  private Ports.Reservation reservation;

  private ServiceProcess(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  static Path root() {
    return Path.of(System.getProperty("dataplane.root", "..")).toAbsolutePath().normalize();
  }

  /** Starts module {@code name}'s jar on a port of its own, given back when it is closed. */
  static ServiceProcess start(String name, Map<String, String> env) throws IOException {
    Ports.Reservation port = Ports.reserve();
    try {
      ServiceProcess s = start(name, name, port.port, env);
      s.reservation = port;
      return s;
    } catch (IOException | RuntimeException e) {
      port.close();
      throw e;
    }
  }

  /** Starts module {@code module}'s jar as process {@code name} (several may share a module). */
  static ServiceProcess start(String module, String name, int port, Map<String, String> env)
      throws IOException {
    Path jar = root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package the services first");
    }
    Path logs = root().resolve("system-tests/target/service-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(name + "-" + port + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> e = new HashMap<>(TEST_ENV);
    if (module.equals("worker-service")) {
      // as in production: a worker holds its own service credential only
      SERVICE_TOKENS.keySet().stream()
          .filter(c -> !c.equals("WORKER"))
          .forEach(c -> e.remove("DATAPLANE_SERVICE_TOKENS_" + c));
    }
    e.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    e.putAll(env);
    pb.environment().putAll(e);
    return new ServiceProcess(name, port, log, pb.start());
  }

  /** HTTP status of {@code GET path}, or -1 when nothing answers. */
  int status(String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout((int) Duration.ofSeconds(10).toMillis());
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  /** The process id (the same until the service is restarted). */
  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL, as a crash would; returns once the process is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      if (reservation != null) {
        reservation.close();
      }
    }
  }
}
