package io.dataplane.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dataplane.common.events.TaskDispatched;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskEnvironmentTest {

  static final UUID RUN = UUID.fromString("00000000-0000-4000-8000-000000000001");
  static final UUID TASK_RUN = UUID.fromString("00000000-0000-4000-8000-000000000002");

  static TaskDispatched dispatch(
      Map<String, String> env, Map<String, Object> params, List<String> secrets, String token) {
    return new TaskDispatched(
        "dev",
        "etl",
        RUN,
        TASK_RUN,
        "extract",
        2,
        "r1",
        null,
        "default",
        "bash",
        "true",
        null,
        env,
        params,
        secrets,
        false,
        null,
        Map.of(),
        token,
        Instant.now());
  }

  @Test
  void paramsSecretsAndTheAttemptsIdentity() throws Exception {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("day", "2026-12-07");
    params.put("rows-max", 10);
    params.put("tags", List.of("a", "b"));
    Map<String, String> env =
        TaskEnvironment.of(
            dispatch(Map.of("MINE", "1"), params, List.of("DB_PASSWORD"), "tok"),
            Map.of("DB_PASSWORD", "s3cret"),
            "00-abc-def-01");
    assertThat(env)
        .containsEntry("MINE", "1")
        .containsEntry("DP_PARAM_day", "2026-12-07")
        .containsEntry("DP_PARAM_DAY", "2026-12-07")
        .containsEntry("DP_PARAM_ROWS_MAX", "10")
        .containsEntry("DP_PARAM_tags", "[\"a\",\"b\"]")
        .containsEntry("DB_PASSWORD", "s3cret")
        .containsEntry("DP_RUN_ID", RUN.toString())
        .containsEntry("DP_TASK_RUN_ID", TASK_RUN.toString())
        .containsEntry("DP_TASK", "extract")
        .containsEntry("DP_ATTEMPT", "2")
        .containsEntry("DP_ENVIRONMENT", "dev")
        .containsEntry("DP_PIPELINE", "etl")
        .containsEntry("DP_RELEASE_ID", "r1")
        .containsEntry("TRACEPARENT", "00-abc-def-01");
    assertThat(env.get("DP_PARAMS")).contains("\"day\":\"2026-12-07\"");
  }

  @Test
  void aTaskCannotPassForAnotherAttemptNorSetNamesThatAreNotVariables() throws Exception {
    Map<String, String> own = new LinkedHashMap<>();
    own.put("DP_RUN_ID", "forged");
    own.put("DP_ATTEMPT", "99");
    own.put("TRACEPARENT", "forged");
    own.put("BAD NAME", "x");
    own.put("1ST", "x");
    own.put("A=B", "x");
    Map<String, String> env =
        TaskEnvironment.of(
            dispatch(own, Map.of("we ird;rm -rf", "v"), null, null),
            Map.of("NOT-A-NAME", "s"),
            "00-real-01");
    assertThat(env)
        .containsEntry("DP_RUN_ID", RUN.toString())
        .containsEntry("DP_ATTEMPT", "2")
        .containsEntry("TRACEPARENT", "00-real-01")
        .doesNotContainKeys("BAD NAME", "1ST", "A=B", "NOT-A-NAME")
        .containsEntry("DP_PARAM_we_ird_rm__rf", "v");
  }

  @Test
  void onlyTheDeclaredSecretsAreKept() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TaskSecrets.Resolver resolver =
        (token, environment, names) -> {
          calls.incrementAndGet();
          assertThat(token).isEqualTo("tok");
          assertThat(environment).isEqualTo("dev");
          return Map.of("A", "1", "B", "2", "UNDECLARED", "3");
        };
    assertThat(TaskSecrets.resolve(dispatch(null, null, List.of("A", "B"), "tok"), resolver))
        .containsOnlyKeys("A", "B");
    // nothing declared: no call at all
    assertThat(TaskSecrets.resolve(dispatch(null, null, List.of(), "tok"), resolver)).isEmpty();
    assertThat(TaskSecrets.resolve(dispatch(null, null, null, null), resolver)).isEmpty();
    assertThat(calls).hasValue(1);
  }

  @Test
  void aMissingSecretOrTokenFailsTheAttemptWithItsName() {
    TaskSecrets.Resolver partial = (token, environment, names) -> Map.of("A", "1");
    assertThatThrownBy(
            () -> TaskSecrets.resolve(dispatch(null, null, List.of("A", "GONE"), "tok"), partial))
        .isInstanceOf(IOException.class)
        .hasMessage("secret GONE was not resolved for this task");
    assertThatThrownBy(() -> TaskSecrets.resolve(dispatch(null, null, List.of("A"), null), partial))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no attempt token");
  }
}
