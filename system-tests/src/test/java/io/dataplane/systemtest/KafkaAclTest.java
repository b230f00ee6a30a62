package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.Topics;
import io.dataplane.demo.GraphQLClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform on a broker that authenticates every client with SASL/SCRAM and authorizes it with
 * ACLs: each service signs in as its own principal, which holds only the ACLs docs/deploy.md lists
 * ("Kafka security and ACLs"). A run succeeds through it; the worker's principal can neither
 * produce run requests nor read another environment's dispatch topic, and a wrong password is no
 * sign-in at all.
 */
class KafkaAclTest {

  static final String X = UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "acl-" + X;
  static final String OTHER_ENV = "acl-other-" + X;
  static final String ORCHESTRATOR_GROUP = "orchestrator-service-" + X;
  static final String SCHEDULER_GROUP = "scheduler-service-" + X;
  static final List<String> SERVICES =
      List.of("orchestrator", "worker", "gateway", "scheduler", "secrets", "filestore");

  static KafkaBroker kafka;
  static Platform platform;

  static String user(String service) {
    return "dataplane-" + service;
  }

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> users = new LinkedHashMap<>();
    for (String s : SERVICES) {
      users.put(user(s), UUID.randomUUID().toString());
    }
    kafka = KafkaBroker.startWithScram(users);
    try (Admin admin = Admin.create(kafka.clientConfig(KafkaBroker.ADMIN))) {
      admin.createAcls(acls()).all().get(60, TimeUnit.SECONDS);
      // another environment's dispatch topic, as the orchestrator would have made it
      admin
          .createTopics(List.of(new NewTopic(dispatchTopic(OTHER_ENV), 1, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
    Platform.Builder b =
        Platform.builder(ENV + "/default")
            .kafka(kafka)
            .env(
                Map.of(
                    "DATAPLANE_ORCHESTRATOR_CONSUMER_GROUP", ORCHESTRATOR_GROUP,
                    "DATAPLANE_SCHEDULER_CONSUMER_GROUP", SCHEDULER_GROUP));
    for (String s : SERVICES) {
      b.env(s + "-service", kafka.serviceEnv(user(s)));
    }
    platform = b.start();
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static String dispatchTopic(String env) {
    return Topics.TASK_DISPATCH_PREFIX + env + ".default";
  }

  /** The ACLs of docs/deploy.md, "Kafka security and ACLs", for this test's principals. */
  static List<AclBinding> acls() {
    List<AclBinding> acls = new ArrayList<>();
    // orchestrator
    allow(
        acls,
        "orchestrator",
        ResourceType.TOPIC,
        Topics.TASK_DISPATCH_PREFIX,
        true,
        AclOperation.WRITE,
        AclOperation.CREATE,
        AclOperation.DESCRIBE_CONFIGS);
    for (String t :
        List.of(
            Topics.TASK_CONTROL, Topics.RUN_EVENTS, Topics.PIPELINE_EVENTS, Topics.DEAD_LETTERS)) {
      allow(acls, "orchestrator", ResourceType.TOPIC, t, false, AclOperation.WRITE);
    }
    for (String t :
        List.of(
            Topics.RUN_REQUESTS, Topics.TASK_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS)) {
      allow(acls, "orchestrator", ResourceType.TOPIC, t, false, AclOperation.READ);
    }
    allow(acls, "orchestrator", ResourceType.GROUP, ORCHESTRATOR_GROUP, true, AclOperation.READ);
    // worker: its environment's dispatch topics only. It creates its group's dispatch topic when
    // it starts before the orchestrator did, and sets its share group to start at the earliest
    // record (share.auto.offset.reset), so that no dispatch made before it subscribed is skipped
    for (String t : List.of(Topics.TASK_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS)) {
      allow(acls, "worker", ResourceType.TOPIC, t, false, AclOperation.WRITE);
    }
    allow(
        acls,
        "worker",
        ResourceType.TOPIC,
        Topics.TASK_DISPATCH_PREFIX + ENV + ".",
        true,
        AclOperation.READ,
        AclOperation.CREATE);
    allow(acls, "worker", ResourceType.TOPIC, Topics.TASK_CONTROL, false, AclOperation.READ);
    allow(
        acls,
        "worker",
        ResourceType.GROUP,
        "dataplane-workers." + ENV + ".",
        true,
        AclOperation.READ,
        AclOperation.DESCRIBE_CONFIGS,
        AclOperation.ALTER_CONFIGS);
    // gateway
    allow(acls, "gateway", ResourceType.TOPIC, Topics.RUN_REQUESTS, false, AclOperation.WRITE);
    for (String t : List.of(Topics.RUN_EVENTS, Topics.TASK_LOGS, Topics.WORKER_HEARTBEATS)) {
      allow(acls, "gateway", ResourceType.TOPIC, t, false, AclOperation.READ);
    }
    allow(acls, "gateway", ResourceType.GROUP, "dataplane-gateway-", true, AclOperation.READ);
    // scheduler
    for (String t : List.of(Topics.RUN_REQUESTS, Topics.DEAD_LETTERS)) {
      allow(acls, "scheduler", ResourceType.TOPIC, t, false, AclOperation.WRITE);
    }
    for (String t : List.of(Topics.RUN_EVENTS, Topics.PIPELINE_EVENTS)) {
      allow(acls, "scheduler", ResourceType.TOPIC, t, false, AclOperation.READ);
    }
    allow(acls, "scheduler", ResourceType.GROUP, SCHEDULER_GROUP, true, AclOperation.READ);
    // secrets and filestore publish their events only
    allow(acls, "secrets", ResourceType.TOPIC, Topics.SECRET_EVENTS, false, AclOperation.WRITE);
    allow(acls, "filestore", ResourceType.TOPIC, Topics.BUNDLE_EVENTS, false, AclOperation.WRITE);
    return acls;
  }

  /** Allows {@code operations} (and DESCRIBE, which each of them needs) to the service's user. */
  static void allow(
      List<AclBinding> acls,
      String service,
      ResourceType type,
      String name,
      boolean prefix,
      AclOperation... operations) {
    ResourcePattern pattern =
        new ResourcePattern(type, name, prefix ? PatternType.PREFIXED : PatternType.LITERAL);
    List<AclOperation> ops = new ArrayList<>(List.of(operations));
    if (type == ResourceType.TOPIC) {
      ops.add(AclOperation.DESCRIBE);
    }
    for (AclOperation op : ops) {
      acls.add(
          new AclBinding(
              pattern,
              new AccessControlEntry("User:" + user(service), "*", op, AclPermissionType.ALLOW)));
    }
  }

  static Throwable root(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  @Test
  void aRunSucceedsWithEveryServiceSignedInAsItsOwnPrincipal() throws Exception {
    GraphQLClient alice = platform.graphql("alice");
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
    alice.execute(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of(
            "e",
            ENV,
            "p",
            "acl",
            "d",
            "tasks:\n  - {key: a, runtime: bash, script: \"echo a\"}\n"
                + "  - {key: b, runtime: bash, script: \"echo b\", dependsOn: [a]}\n"));
    alice.execute(
        "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p, bundle: false) { id } }",
        Map.of("e", ENV, "p", "acl"));
    String runId =
        alice
            .execute(
                "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
                Map.of("e", ENV, "p", "acl"))
            .path("startRun")
            .path("id")
            .asText();
    await("run " + runId + " succeeded over SASL/SCRAM with ACLs")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                alice
                    .execute("query($id: String!) { run(id: $id) { state } }", Map.of("id", runId))
                    .path("run")
                    .path("state")
                    .asText(),
            s -> s.equals("SUCCEEDED") || s.equals("FAILED"));
    assertThat(
            alice
                .execute("query($id: String!) { run(id: $id) { state } }", Map.of("id", runId))
                .path("run")
                .path("state")
                .asText())
        .isEqualTo("SUCCEEDED");
  }

  @Test
  void theWorkersPrincipalCannotProduceRunRequests() {
    Map<String, Object> c = kafka.clientConfig(user("worker"));
    c.put("max.block.ms", 20_000);
    c.put("delivery.timeout.ms", 20_000);
    c.put("request.timeout.ms", 10_000);
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(
              () ->
                  p.send(new ProducerRecord<>(Topics.RUN_REQUESTS, "{}".getBytes()))
                      .get(30, TimeUnit.SECONDS))
          .satisfies(e -> assertThat(root(e)).isInstanceOf(TopicAuthorizationException.class));
    }
  }

  @Test
  void theWorkersPrincipalCannotReadAnotherEnvironmentsDispatchTopic() {
    Map<String, Object> c = kafka.clientConfig(user("worker"));
    c.put("group.id", "dataplane-workers." + ENV + ".spy");
    c.put("default.api.timeout.ms", 20_000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new TopicPartition(dispatchTopic(OTHER_ENV), 0)));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(20)))
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(dispatchTopic(OTHER_ENV));
    }
    // and not under a consumer group of its own choosing either
    c.put("group.id", "spy-" + X);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(dispatchTopic(ENV)));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(20)))
          .isInstanceOf(GroupAuthorizationException.class);
    }
  }

  @Test
  void aWrongPasswordIsNoSignIn() {
    Map<String, Object> c = kafka.clientConfig(user("gateway"));
    c.put("sasl.jaas.config", KafkaBroker.jaas(user("gateway"), "not-the-password"));
    c.put("max.block.ms", 20_000);
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(
              () ->
                  p.send(new ProducerRecord<>(Topics.RUN_REQUESTS, "{}".getBytes()))
                      .get(30, TimeUnit.SECONDS))
          .satisfies(e -> assertThat(root(e)).isInstanceOf(SaslAuthenticationException.class));
    }
  }
}
