package io.dataplane.systemtest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The six packaged services as processes on ports of their own, wired to each other and to the real
 * PostgreSQL (database {@code dataplane_test}), Kafka, Redis and Keycloak of the local stack.
 */
final class Platform implements AutoCloseable {

  static final String DATABASE = System.getProperty("dataplane.test.database", "dataplane_test");

  final Map<String, ServiceProcess> services = new LinkedHashMap<>();
  final Map<String, Integer> ports = new LinkedHashMap<>();

  /** Starts the platform; {@code workerGroup} is the only group its worker serves. */
  static Platform start(String workerGroup, Map<String, String> extraEnv) throws IOException {
    Platform p = new Platform();
    try {
      for (String s :
          List.of(
              "orchestrator-service",
              "secrets-service",
              "filestore-service",
              "scheduler-service",
              "worker-service",
              "gateway-service")) {
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
      env.putAll(extraEnv);
      for (Map.Entry<String, Integer> e : p.ports.entrySet()) {
        String name = e.getKey();
        Map<String, String> own = new HashMap<>(env);
        own.put("QUARKUS_HTTP_PORT", String.valueOf(e.getValue()));
        if (!name.equals("worker-service")) {
          own.put(
              "QUARKUS_DATASOURCE_JDBC_URL",
              "jdbc:postgresql://127.0.0.1:5432/"
                  + DATABASE
                  + "?currentSchema="
                  + name.replace("-service", "")
                  + "&connectTimeout=3&socketTimeout=30");
        } else {
          own.put("DATAPLANE_WORKER_WORK_DIR", Files.createTempDirectory("dp-st-work").toString());
          own.put(
              "DATAPLANE_WORKER_CACHE_DIR", Files.createTempDirectory("dp-st-cache").toString());
        }
        p.services.put(name, ServiceProcess.start(name, e.getValue(), own));
      }
      for (ServiceProcess s : p.services.values()) {
        await(s.name + " ready (log: " + s.log + ")")
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> s.status("/q/health/ready") == 200 || !s.alive());
        if (!s.alive()) {
          throw new IllegalStateException(s.name + " died at start:\n" + s.logTail());
        }
      }
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  String url(String service) {
    return "http://127.0.0.1:" + ports.get(service);
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
