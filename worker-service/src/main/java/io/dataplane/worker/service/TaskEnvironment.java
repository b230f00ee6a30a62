package io.dataplane.worker.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.json.Json;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The environment variables a task gets from its dispatch: the task's own {@code env}, each param
 * as {@code DP_PARAM_<name>} (as written and upper-cased) and all of them as JSON in {@code
 * DP_PARAMS}, the declared secrets under their names, then the attempt's identity ({@code
 * DP_RUN_ID}, {@code DP_TASK}, …) and {@code TRACEPARENT}, which nothing before may override. Names
 * that are not variable names are left out. The runner adds the sandbox's own ({@code HOME}, {@code
 * PATH}, {@code DP_INPUTS}, …). Plain Java.
 */
public final class TaskEnvironment {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private TaskEnvironment() {}

  public static Map<String, String> of(
      TaskDispatched d, Map<String, String> secrets, String traceparent)
      throws JsonProcessingException {
    Map<String, String> env = new HashMap<>();
    if (d.env() != null) {
      d.env().forEach((k, v) -> put(env, k, v));
    }
    Map<String, Object> params = d.params() == null ? Map.of() : d.params();
    for (Map.Entry<String, Object> p : params.entrySet()) {
      // both as written and upper-cased: DP_PARAM_day and DP_PARAM_DAY
      String name = "DP_PARAM_" + p.getKey().replaceAll("[^A-Za-z0-9_]", "_");
      Object v = p.getValue();
      String text = v instanceof String str ? str : Json.mapper().writeValueAsString(v);
      put(env, name.toUpperCase(Locale.ROOT), text);
      put(env, name, text);
    }
    env.put("DP_PARAMS", Json.mapper().writeValueAsString(params));
    secrets.forEach((k, v) -> put(env, k, v));
    env.put("DP_RUN_ID", String.valueOf(d.runId()));
    env.put("DP_TASK_RUN_ID", String.valueOf(d.taskRunId()));
    env.put("DP_TASK", String.valueOf(d.taskKey()));
    env.put("DP_ATTEMPT", String.valueOf(d.attempt()));
    env.put("DP_ENVIRONMENT", String.valueOf(d.environment()));
    env.put("DP_PIPELINE", String.valueOf(d.pipeline()));
    if (d.releaseId() != null) {
      env.put("DP_RELEASE_ID", d.releaseId());
    }
    if (traceparent != null) {
      env.put("TRACEPARENT", traceparent);
    }
    return env;
  }

  private static void put(Map<String, String> env, String name, String value) {
    if (name != null && value != null && ENV_NAME.matcher(name).matches()) {
      env.put(name, value);
    }
  }
}
