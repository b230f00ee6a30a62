package io.dataplane.orchestrator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.dataplane.common.events.Topics;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** REST helpers for tests: authenticated calls, unique names, fixtures. */
public final class Api {

  public static final String TOKEN = "test-service-token-0123456789";

  private Api() {}

  public static RequestSpecification api() {
    return given().header("Authorization", "Bearer " + TOKEN).header("X-Dataplane-Actor", "tester");
  }

  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static String env() {
    String env = unique("env");
    api()
        .contentType("application/json")
        .body(Map.of("name", env, "description", "test"))
        .post("/api/v1/environments")
        .then()
        .statusCode(201);
    return env;
  }

  public static void group(String env, String group) {
    api()
        .contentType("application/json")
        .body(Map.of("name", group))
        .post("/api/v1/environments/{env}/worker-groups", env)
        .then()
        .statusCode(201);
  }

  public static String fixture(String name, String group) {
    try (InputStream in = Api.class.getResourceAsStream("/pipelines/" + name + ".yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${GROUP}", group);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Saves and releases a definition; returns the release id. */
  public static String deploy(String env, String pipeline, String yaml) {
    api()
        .contentType("application/yaml")
        .body(yaml.getBytes(StandardCharsets.UTF_8))
        .put("/api/v1/environments/{env}/pipelines/{p}", env, pipeline)
        .then()
        .statusCode(201);
    return api()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/environments/{env}/pipelines/{p}/releases", env, pipeline)
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  public static String start(String env, String pipeline, Map<String, Object> body) {
    return api()
        .contentType("application/json")
        .body(body)
        .post("/api/v1/environments/{env}/pipelines/{p}/runs", env, pipeline)
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  public static JsonPath run(String runId) {
    return api().get("/api/v1/runs/{id}", runId).then().statusCode(200).extract().jsonPath();
  }

  public static JsonPath awaitRun(String runId, String state, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> state.equals(run(runId).getString("state")));
    return run(runId);
  }

  public static String taskState(JsonPath run, String key) {
    return run.getString("taskRuns.find { it.taskKey == '" + key + "' }.state");
  }

  public static List<Map<String, Object>> attempts(JsonPath run, String key) {
    return run.getList("taskRuns.find { it.taskKey == '" + key + "' }.attempts");
  }

  /**
   * A consumer of {@code dataplane.run-events} from its end, returned once it has its partitions
   * (events sent after this call are read).
   */
  public static KafkaConsumer<String, byte[]> runEvents() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "run-events-test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
    c.subscribe(List.of(Topics.RUN_EVENTS));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !c.poll(Duration.ofMillis(100)).isEmpty() || !c.assignment().isEmpty());
    return c;
  }
}
