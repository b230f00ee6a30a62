package io.dataplane.systemtest;

import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.Topics;
import io.dataplane.testing.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A single-node KRaft broker of a test's own, started from the jars {@code dev/stack} puts in
 * {@code <root>/.dev/kafka/lib}, configured like {@code dev/kafka/server.properties} but on free
 * ports and in a temporary data directory. The test may kill it with SIGKILL and start it again on
 * the same ports and data, without touching the shared broker.
 */
final class KafkaBroker implements AutoCloseable {

  final int port;
  final int controllerPort;
  final Path dir;
  final Path log;
  private final Path config;
  private final Map<String, String> scramUsers;
  private final List<Ports.Reservation> reservations = new ArrayList<>();
  private Process process;

  /** The broker's own super user, when it authenticates clients with SASL/SCRAM. */
  static final String ADMIN = "admin";

  static final String SCRAM = "SCRAM-SHA-256";

  private KafkaBroker(
      int port,
      int controllerPort,
      Path dir,
      Path log,
      Path config,
      Map<String, String> scramUsers) {
    this.port = port;
    this.controllerPort = controllerPort;
    this.dir = dir;
    this.log = log;
    this.config = config;
    this.scramUsers = scramUsers;
  }

  static Path lib() {
    return ServiceProcess.root().resolve(".dev/kafka/lib");
  }

  /** Formats a new data directory ({@code --standalone}) and starts the broker on free ports. */
  static KafkaBroker start() throws IOException {
    return start(Map.of());
  }

  /**
   * A broker whose client listener takes only SASL/SCRAM ({@code SASL_PLAINTEXT}, SCRAM-SHA-256)
   * for these users (name → password) and the super user {@link #ADMIN}, and authorizes with
   * KRaft's StandardAuthorizer: a user may do only what an ACL allows. The controller listener
   * stays PLAINTEXT on loopback (the broker's own controller traffic, principal ANONYMOUS).
   */
  static KafkaBroker startWithScram(Map<String, String> users) throws IOException {
    Map<String, String> all = new java.util.LinkedHashMap<>(users);
    all.put(ADMIN, "admin-" + java.util.UUID.randomUUID());
    return start(all);
  }

  private static KafkaBroker start(Map<String, String> scramUsers) throws IOException {
    boolean sasl = !scramUsers.isEmpty();
    String listener = sasl ? "SASL_PLAINTEXT" : "PLAINTEXT";
    if (!Files.isDirectory(lib())) {
      throw new IllegalStateException(
          lib() + " is missing: dev/stack up puts the Kafka jars there");
    }
    Ports.Reservation portReservation = Ports.reserve();
    Ports.Reservation controllerReservation = Ports.reserve();
    int port = portReservation.port;
    int controllerPort = controllerReservation.port;
    Path dir = Files.createTempDirectory("dp-st-kafka");
    Path logs = ServiceProcess.root().resolve("system-tests/target/service-logs");
    Files.createDirectories(logs);
    Path config = dir.resolve("server.properties");
    List<String> lines = new ArrayList<>();
    for (String line :
        Files.readAllLines(ServiceProcess.root().resolve("dev/kafka/server.properties"))) {
      String key = line.contains("=") ? line.substring(0, line.indexOf('=')).trim() : "";
      switch (key) {
        case "controller.quorum.bootstrap.servers" ->
            lines.add(key + "=127.0.0.1:" + controllerPort);
        case "listeners" ->
            lines.add(
                key
                    + "="
                    + listener
                    + "://127.0.0.1:"
                    + port
                    + ",CONTROLLER://127.0.0.1:"
                    + controllerPort);
        case "advertised.listeners" -> lines.add(key + "=" + listener + "://127.0.0.1:" + port);
        case "inter.broker.listener.name" -> lines.add(key + "=" + listener);
        case "listener.security.protocol.map" ->
            lines.add(key + "=CONTROLLER:PLAINTEXT," + listener + ":" + listener);
        case "log.dirs" -> {}
        default -> lines.add(line);
      }
    }
    lines.add("log.dirs=" + dir.resolve("data"));
    if (sasl) {
      lines.add("sasl.enabled.mechanisms=" + SCRAM);
      lines.add("sasl.mechanism.inter.broker.protocol=" + SCRAM);
      lines.add(
          "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config="
              + jaas(ADMIN, scramUsers.get(ADMIN)));
      lines.add("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      // ANONYMOUS: the controller listener's principal, which the broker itself uses
      lines.add("super.users=User:" + ADMIN + ";User:ANONYMOUS");
      lines.add("allow.everyone.if.no.acl.found=false");
    }
    Files.write(config, lines);
    KafkaBroker b =
        new KafkaBroker(
            port,
            controllerPort,
            dir,
            logs.resolve("kafka-" + port + ".log"),
            config,
            Map.copyOf(scramUsers));
    b.reservations.add(portReservation);
    b.reservations.add(controllerReservation);
    try {
      b.format();
      b.launch();
      b.createTopics();
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** A client's settings for this broker, signed in as {@code user} when it takes SASL/SCRAM. */
  Map<String, Object> clientConfig(String user) {
    Map<String, Object> c = new java.util.HashMap<>();
    c.put("bootstrap.servers", bootstrap());
    if (!scramUsers.isEmpty()) {
      c.put("security.protocol", "SASL_PLAINTEXT");
      c.put("sasl.mechanism", SCRAM);
      c.put("sasl.jaas.config", jaas(user, scramUsers.get(user)));
    }
    return c;
  }

  /** The environment variables that give a service this broker and the user's credentials. */
  Map<String, String> serviceEnv(String user) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap());
    if (!scramUsers.isEmpty()) {
      env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
      env.put("KAFKA_SASL_MECHANISM", SCRAM);
      env.put("KAFKA_SASL_JAAS_CONFIG", jaas(user, scramUsers.get(user)));
    }
    return env;
  }

  private List<String> java(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xms128m",
                "-Xmx384m",
                "-Dlog4j2.configurationFile="
                    + ServiceProcess.root().resolve("dev/kafka/log4j2.properties"),
                "-Dkafka.logs.dir=" + dir.resolve("logs"),
                "-cp",
                lib() + "/*"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void format() throws IOException {
    byte[] id = new byte[16];
    new SecureRandom().nextBytes(id);
    String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    List<String> args =
        new ArrayList<>(
            List.of(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId,
                "-c",
                config.toString(),
                "--standalone"));
    // SCRAM credentials go into the metadata log when it is formatted
    scramUsers.forEach(
        (user, password) -> {
          args.add("--add-scram");
          args.add(SCRAM + "=[name=" + user + ",password=" + password + "]");
        });
    Process p =
        new ProcessBuilder(java(args.toArray(String[]::new)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("formatting the Kafka data directory failed; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates the platform's topics before any service starts. Left to auto-creation, a new broker
   * sometimes moves a partition's leadership while the first idempotent producer writes to it, and
   * that producer then retries OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen as a
   * worker whose heartbeats never arrive).
   */
  private void createTopics() {
    List<NewTopic> topics =
        Topics.fixed().stream().map(t -> new NewTopic(t, 4, (short) 1)).toList();
    try (Admin admin = Admin.create(clientConfig(ADMIN))) {
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the platform's topics on " + bootstrap(), e);
    }
  }

  private void launch() throws IOException {
    Files.deleteIfExists(dir.resolve("logs/server.log"));
    process =
        new ProcessBuilder(java("kafka.Kafka", config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    await("kafka broker on " + port + " started (log: " + log + ")")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> started() || !process.isAlive());
    if (!process.isAlive()) {
      throw new IllegalStateException("the Kafka broker died at start; see " + log);
    }
  }

  private boolean started() throws IOException {
    Path serverLog = dir.resolve("logs/server.log");
    if (!Files.exists(serverLog) || !Files.readString(serverLog).contains("Kafka Server started")) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
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

  /** Starts the killed broker again, on its ports and with its data; returns once it serves. */
  void restart() throws IOException {
    launch();
  }

  @Override
  public void close() {
    try {
      if (process == null) {
        return;
      }
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      reservations.forEach(Ports.Reservation::close);
    }
  }
}
