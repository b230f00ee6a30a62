package io.dataplane.systemtest;

import static org.awaitility.Awaitility.await;

import io.dataplane.demo.GraphQLClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The packaged services as processes on ports of their own, wired to each other and to the real
 * PostgreSQL (database {@code dataplane_test}), Kafka, Redis and Keycloak of the local stack. The
 * worker service may run as several processes ({@code worker-service}, {@code worker-service-2},
 * …), all serving one worker group.
 */
final class Platform implements AutoCloseable {

  static final String DATABASE = System.getProperty("dataplane.test.database", "dataplane_test");
  static final String TOKEN_URL =
      "http://127.0.0.1:8180/realms/dataplane/protocol/openid-connect/token";

  final Map<String, ServiceProcess> services = new LinkedHashMap<>();
  final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> envs = new HashMap<>();

  /** Starts the platform with one worker; {@code workerGroup} is the only group it serves. */
  static Platform start(String workerGroup, Map<String, String> extraEnv) throws IOException {
    return start(workerGroup, 1, extraEnv);
  }

  static Platform start(String workerGroup, int workers, Map<String, String> extraEnv)
      throws IOException {
    Platform p = new Platform();
    try {
      List<String> names =
          new ArrayList<>(
              List.of(
                  "orchestrator-service",
                  "secrets-service",
                  "filestore-service",
                  "scheduler-service"));
      for (int i = 1; i <= workers; i++) {
        names.add(i == 1 ? "worker-service" : "worker-service-" + i);
      }
      names.add("gateway-service");
      for (String s : names) {
        p.ports.put(s, ServiceProcess.freePort());
      }
      Map<String, String> env = new HashMap<>();
      env.put("DATAPLANE_ORCHESTRATOR_URL", p.url("orchestrator-service"));
      env.put("DATAPLANE_SECRETS_URL", p.url("secrets-service"));
      env.put("DATAPLANE_FILESTORE_URL", p.url("filestore-service"));
      env.put("DATAPLANE_SCHEDULER_URL", p.url("scheduler-service"));
      env.put("DATAPLANE_ADMINS", "admin,alice");
      env.put("DATAPLANE_WORKER_GROUPS", workerGroup);
      env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "15S");
      env.put("DATAPLANE_ORCHESTRATOR_CONSUMER_GROUP", "orch-st-" + UUID.randomUUID());
      env.put("DATAPLANE_ORCHESTRATOR_CONSUMER_OFFSET_RESET", "latest");
      env.putAll(extraEnv);
      for (String name : names) {
        Map<String, String> own = new HashMap<>(env);
        own.put("QUARKUS_HTTP_PORT", String.valueOf(p.ports.get(name)));
        if (name.startsWith("worker-service")) {
          own.put("DATAPLANE_WORKER_INSTANCE_ID", name + "-" + p.ports.get(name));
          own.put("DATAPLANE_WORKER_WORK_DIR", Files.createTempDirectory("dp-st-work").toString());
          own.put(
              "DATAPLANE_WORKER_CACHE_DIR", Files.createTempDirectory("dp-st-cache").toString());
        } else {
          own.put(
              "QUARKUS_DATASOURCE_JDBC_URL",
              "jdbc:postgresql://127.0.0.1:5432/"
                  + DATABASE
                  + "?currentSchema="
                  + name.replace("-service", "")
                  + "&connectTimeout=3&socketTimeout=30");
        }
        p.envs.put(name, own);
        p.services.put(name, p.launch(name));
      }
      for (String name : names) {
        p.awaitReady(name);
      }
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private ServiceProcess launch(String name) throws IOException {
    String module = name.startsWith("worker-service") ? "worker-service" : name;
    return ServiceProcess.start(module, name, ports.get(name), envs.get(name));
  }

  void awaitReady(String name) {
    ServiceProcess s = services.get(name);
    await(name + " ready (log: " + s.log + ")")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> s.status("/q/health/ready") == 200 || !s.alive());
    if (!s.alive()) {
      throw new IllegalStateException(name + " died at start:\n" + s.logTail());
    }
  }

  /** Kills a service with SIGKILL, as a crash would. */
  void kill(String name) {
    services.get(name).kill();
  }

  /** Starts a killed service again, on its port and with its configuration, and waits for it. */
  void restart(String name) throws IOException {
    services.put(name, launch(name));
    awaitReady(name);
  }

  /** The instance id of the worker process {@code service}. */
  String workerId(String service) {
    return envs.get(service).get("DATAPLANE_WORKER_INSTANCE_ID");
  }

  /** The process name of the worker whose instance id is {@code workerId}, or null. */
  String serviceOfWorker(String workerId) {
    return envs.entrySet().stream()
        .filter(e -> workerId.equals(e.getValue().get("DATAPLANE_WORKER_INSTANCE_ID")))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  String url(String service) {
    return "http://127.0.0.1:" + ports.get(service);
  }

  /** A GraphQL client of the gateway, signed in at the real Keycloak. */
  GraphQLClient graphql(String user) throws IOException, InterruptedException {
    return new GraphQLClient(
        URI.create(url("gateway-service") + "/graphql"),
        GraphQLClient.passwordGrant(TOKEN_URL, "dataplane-cli", user, user));
  }

  /** Every line every service has logged so far. */
  String allServiceLogs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (ServiceProcess s : services.values()) {
      b.append(Files.readString(s.log)).append('\n');
    }
    return b.toString();
  }

  @Override
  public void close() {
    services.values().forEach(ServiceProcess::close);
  }
}
