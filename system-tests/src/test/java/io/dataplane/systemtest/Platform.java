package io.dataplane.systemtest;

import static org.awaitility.Awaitility.await;

import io.dataplane.demo.GraphQLClient;
import io.dataplane.testing.Ports;
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
 * …), all serving one worker group, and so may the scheduler ({@code scheduler-service}, {@code
 * scheduler-service-2}, …; the gateway talks to the first).
 *
 * <p>Each platform has Kafka consumer groups of its own (orchestrator and scheduler), so that
 * several platforms, {@code dev/services} and the services' own tests can share one broker without
 * taking each other's records; a restarted service keeps its platform's groups and so its committed
 * offsets. On the shared broker a new group starts at the end of each topic (its history belongs to
 * others); on a broker of the platform's own ({@link Builder#ownKafka()}) at the start. The
 * gateway's live-events consumer and the worker's control consumer are per process already, and a
 * worker group's dispatch group is named after the worker group, which every test makes up.
 */
final class Platform implements AutoCloseable {

  static final String DATABASE =
      System.getProperty(
          "dataplane.test.database",
          System.getenv().getOrDefault("DATAPLANE_TEST_DATABASE", "dataplane_test"));
  static final String TOKEN_URL =
      "http://127.0.0.1:8180/realms/dataplane/protocol/openid-connect/token";

  /** This platform's id: names its Kafka consumer groups. */
  final String id = "st-" + UUID.randomUUID().toString().substring(0, 8);

  final Map<String, ServiceProcess> services = new LinkedHashMap<>();
  final Map<String, Integer> ports = new LinkedHashMap<>();
  private final List<Ports.Reservation> reservations = new ArrayList<>();
  private final Map<String, Map<String, String>> envs = new HashMap<>();

  /** The platform's own broker, or null when it uses the local stack's. */
  KafkaBroker kafka;

  /** Whether {@link #kafka} was started by the platform (and is stopped with it). */
  private boolean ownsKafka;

  /**
   * Starts the platform with one worker; {@code workerGroups} (environment/group pairs, comma
   * separated: DATAPLANE_WORKER_GROUPS) are the groups it serves.
   */
  static Platform start(String workerGroups, Map<String, String> extraEnv) throws IOException {
    return builder(workerGroups).env(extraEnv).start();
  }

  static Platform start(String workerGroups, int workers, Map<String, String> extraEnv)
      throws IOException {
    return builder(workerGroups).workers(workers).env(extraEnv).start();
  }

  static Builder builder(String workerGroups) {
    return new Builder(workerGroups);
  }

  /** How a platform is started. */
  static final class Builder {
    private final String workerGroup;
    private final Map<Integer, String> groupsOfWorker = new HashMap<>();
    private int workers = 1;
    private int schedulers = 1;
    private boolean ownKafka;
    private KafkaBroker kafka;
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, Map<String, String>> moduleEnv = new HashMap<>();

    private Builder(String workerGroup) {
      this.workerGroup = workerGroup;
    }

    /** Worker processes, all serving the worker groups (unless {@link #groupsOfWorker}). */
    Builder workers(int n) {
      this.workers = n;
      return this;
    }

    /** The worker groups (environment/group, comma separated) worker {@code n} (from 1) serves. */
    Builder groupsOfWorker(int n, String workerGroups) {
      groupsOfWorker.put(n, workerGroups);
      return this;
    }

    /** Scheduler processes (one leads, the others stand by). */
    Builder schedulers(int n) {
      this.schedulers = n;
      return this;
    }

    /** Runs a Kafka broker of the platform's own ({@link Platform#kafka}) instead of the shared. */
    Builder ownKafka() {
      this.ownKafka = true;
      return this;
    }

    /** A broker the test started (and stops): the platform's services use it. */
    Builder kafka(KafkaBroker broker) {
      this.kafka = broker;
      return this;
    }

    /** Environment variables for every service. */
    Builder env(Map<String, String> extra) {
      env.putAll(extra);
      return this;
    }

    /** Environment variables for every process of one module ({@code worker-service}, …). */
    Builder env(String module, Map<String, String> extra) {
      moduleEnv.computeIfAbsent(module, m -> new HashMap<>()).putAll(extra);
      return this;
    }

    Platform start() throws IOException {
      return Platform.start(this);
    }
  }

  private static Platform start(Builder b) throws IOException {
    Platform p = new Platform();
    try {
      if (b.ownKafka) {
        p.kafka = KafkaBroker.start();
        p.ownsKafka = true;
      } else if (b.kafka != null) {
        p.kafka = b.kafka;
      }
      List<String> names =
          new ArrayList<>(List.of("orchestrator-service", "secrets-service", "filestore-service"));
      names.addAll(numbered("scheduler-service", b.schedulers));
      names.addAll(numbered("worker-service", b.workers));
      names.add("gateway-service");
      for (String s : names) {
        // held until close: a restarted service gets its port back, nobody else takes it
        Ports.Reservation port = Ports.reserve();
        p.reservations.add(port);
        p.ports.put(s, port.port);
      }
      Map<String, String> env = new HashMap<>();
      env.put("DATAPLANE_ORCHESTRATOR_URL", p.url("orchestrator-service"));
      env.put("DATAPLANE_SECRETS_URL", p.url("secrets-service"));
      env.put("DATAPLANE_FILESTORE_URL", p.url("filestore-service"));
      env.put("DATAPLANE_SCHEDULER_URL", p.url("scheduler-service"));
      // as dev/services: the scheduler reads upstream outputs, has signatures made and checked by
      // secrets-service, links notifications to the console, and may notify a receiver of the test
      env.put("DATAPLANE_SCHEDULER_ORCHESTRATOR_URL", p.url("orchestrator-service"));
      env.put("DATAPLANE_SCHEDULER_SECRETS_URL", p.url("secrets-service"));
      env.put("DATAPLANE_SCHEDULER_NOTIFICATIONS_CONSOLE_URL", p.url("gateway-service"));
      env.put("DATAPLANE_SCHEDULER_NOTIFICATIONS_ALLOWED_HOSTS", "127.0.0.1");
      // alice is a platform admin by her subject (admin holds the realm role)
      env.put("DATAPLANE_ADMINS", subjectOf("alice"));
      env.put("DATAPLANE_WORKER_GROUPS", b.workerGroup);
      env.put("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "15S");
      String offsetReset = p.kafka != null ? "earliest" : "latest";
      env.put("DATAPLANE_ORCHESTRATOR_CONSUMER_GROUP", "dataplane-" + p.id + "-orchestrator");
      env.put("DATAPLANE_ORCHESTRATOR_CONSUMER_OFFSET_RESET", offsetReset);
      env.put("DATAPLANE_SCHEDULER_CONSUMER_GROUP", "dataplane-" + p.id + "-scheduler");
      env.put("DATAPLANE_SCHEDULER_CONSUMER_OFFSET_RESET", offsetReset);
      if (p.kafka != null) {
        env.put("KAFKA_BOOTSTRAP_SERVERS", p.kafka.bootstrap());
      }
      env.putAll(b.env);
      for (String name : names) {
        Map<String, String> own = new HashMap<>(env);
        own.putAll(b.moduleEnv.getOrDefault(module(name), Map.of()));
        own.put("QUARKUS_HTTP_PORT", String.valueOf(p.ports.get(name)));
        if (module(name).equals("worker-service")) {
          own.put("DATAPLANE_WORKER_INSTANCE_ID", name + "-" + p.ports.get(name));
          // the tests were written for two slots per worker (not the default 4 per core)
          own.putIfAbsent("DATAPLANE_WORKER_SLOTS", "2");
          int n = name.matches(".*-\\d+$") ? Integer.parseInt(name.replaceFirst(".*-", "")) : 1;
          if (b.groupsOfWorker.containsKey(n)) {
            own.put("DATAPLANE_WORKER_GROUPS", b.groupsOfWorker.get(n));
          }
          // workers on one machine need task uid ranges of their own (docs/worker.md)
          own.put(
              "DATAPLANE_WORKER_SANDBOX_UID_BASE",
              String.valueOf(61000 + 100 * p.workerServices().size()));
          own.put("DATAPLANE_WORKER_WORK_DIR", Files.createTempDirectory("dp-st-work").toString());
          own.put(
              "DATAPLANE_WORKER_CACHE_DIR", Files.createTempDirectory("dp-st-cache").toString());
        } else {
          if (module(name).equals("scheduler-service")) {
            own.put("DATAPLANE_SCHEDULER_INSTANCE_ID", name + "-" + p.ports.get(name));
          }
          own.put(
              "QUARKUS_DATASOURCE_JDBC_URL",
              "jdbc:postgresql://127.0.0.1:5432/"
                  + DATABASE
                  + "?currentSchema="
                  + module(name).replace("-service", "")
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

  /** {@code base}, {@code base-2}, … {@code base-n}. */
  private static List<String> numbered(String base, int n) {
    List<String> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(i == 1 ? base : base + "-" + i);
    }
    return list;
  }

  /** The module whose jar process {@code name} runs ({@code worker-service-2} → worker-service). */
  static String module(String name) {
    return name.replaceFirst("-\\d+$", "");
  }

  private ServiceProcess launch(String name) throws IOException {
    return ServiceProcess.start(module(name), name, ports.get(name), envs.get(name));
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
    if (module(name).equals("worker-service")
        && !"true".equals(envs.get(name).get("DATAPLANE_WORKER_ALLOW_UNSANDBOXED"))) {
      // the system tests run sandboxed, as production does (bubblewrap comes with dev/stack)
      String ready;
      try {
        ready = get(name, "/q/health/ready");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (!SANDBOXED.matcher(ready).find()) {
        throw new IllegalStateException(name + " runs tasks without a sandbox:\n" + ready);
      }
    }
  }

  private static final java.util.regex.Pattern SANDBOXED =
      java.util.regex.Pattern.compile("\"sandbox\"\\s*:\\s*\"bwrap\"");

  /** The worker processes ({@code worker-service}, {@code worker-service-2}, …). */
  List<String> workerServices() {
    return services.keySet().stream().filter(n -> module(n).equals("worker-service")).toList();
  }

  /** The body of {@code GET path} of a service. */
  String get(String service, String path) throws IOException {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(
              java.net.http.HttpRequest.newBuilder(URI.create(url(service) + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Kills a service with SIGKILL, as a crash would. */
  void kill(String name) {
    services.get(name).kill();
  }

  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) a service: it stays registered and silent, as a process
   * stuck in a long garbage collection or on a dead disk would.
   */
  void signal(String name, String signal) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("kill", "-" + signal, String.valueOf(services.get(name).pid()))
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + name + " failed");
    }
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

  /** The subject (sub) Keycloak gives a user: what the gateway binds and makes admin. */
  static String subjectOf(String user) throws IOException {
    try {
      return GraphQLClient.subjectOf(
          GraphQLClient.passwordGrant(TOKEN_URL, "dataplane-cli", user, user));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while signing in", e);
    }
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
    if (kafka != null && ownsKafka) {
      kafka.close();
    }
    reservations.forEach(Ports.Reservation::close);
  }
}
