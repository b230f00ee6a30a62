package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.Demo;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo scenario through the gateway, as alice signed in at the real Keycloak, against the six
 * packaged services: every task succeeds, the flaky one on its second attempt, outputs flow
 * downstream, and the secret shows up nowhere in plain.
 */
class DemoScenarioTest {

  static final String GROUP = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static Platform platform;

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.start(GROUP, Map.of());
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void theDemoRunSucceedsWithRetriesOutputsAndRedaction() throws Exception {
    String env = "st-" + UUID.randomUUID().toString().substring(0, 8);
    Demo.Settings local = Demo.Settings.local(env);
    Demo.Settings settings =
        new Demo.Settings(
            URI.create(platform.url("gateway-service") + "/graphql"),
            local.tokenEndpoint(),
            local.clientId(),
            "alice",
            "alice",
            env,
            "demo-etl",
            GROUP,
            Duration.ofMinutes(3));
    List<String> printed = new CopyOnWriteArrayList<>();

    Demo.Result r = new Demo(settings, printed::add).run();

    assertThat(r.state()).as(String.join("\n", printed)).isEqualTo("SUCCEEDED");
    Map<String, JsonNode> tasks = new HashMap<>();
    r.run().path("taskRuns").forEach(t -> tasks.put(t.path("taskKey").asText(), t));
    assertThat(tasks).containsOnlyKeys("extract", "transform", "check", "load");
    assertThat(tasks.values())
        .allSatisfy(t -> assertThat(t.path("state").asText()).isEqualTo("SUCCEEDED"));

    JsonNode checkAttempts = tasks.get("check").path("attempts");
    assertThat(checkAttempts.size()).isEqualTo(2);
    assertThat(
            StreamSupport.stream(checkAttempts.spliterator(), false)
                .map(a -> a.path("state").asText()))
        .containsExactly("FAILED", "SUCCEEDED");
    assertThat(tasks.get("extract").path("outputs").path("rows").asInt()).isEqualTo(21);
    assertThat(tasks.get("transform").path("outputs").path("rows").asInt()).isEqualTo(42);
    assertThat(tasks.get("load").path("outputs").path("loaded").asInt()).isEqualTo(42);

    // followed live: the run's and the tasks' transitions arrived through runUpdates
    assertThat(r.updates()).contains("run SUCCEEDED", "check QUEUED", "load SUCCEEDED");
    // logs arrived through logTail, with the secret redacted
    assertThat(r.logs().get("extract")).anySatisfy(l -> assertThat(l).contains("token ***"));
    assertThat(r.logs().get("transform")).anySatisfy(l -> assertThat(l).contains("token ***"));
    assertThat(String.join("\n", printed)).doesNotContain(r.secretValue());
    assertThat(platform.allServiceLogs()).doesNotContain(r.secretValue());
  }
}
