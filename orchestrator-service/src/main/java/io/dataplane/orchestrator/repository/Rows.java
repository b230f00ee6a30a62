package io.dataplane.orchestrator.repository;

import static io.dataplane.orchestrator.repository.Db.instant;
import static io.dataplane.orchestrator.repository.Db.json;
import static io.dataplane.orchestrator.repository.Db.uuid;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.common.events.WorkerHeartbeat.RunningAttempt;
import io.dataplane.common.json.Json;
import io.dataplane.orchestrator.Attempt;
import io.dataplane.orchestrator.Deployment;
import io.dataplane.orchestrator.Environment;
import io.dataplane.orchestrator.PipelineRun;
import io.dataplane.orchestrator.Release;
import io.dataplane.orchestrator.TaskRun;
import io.dataplane.orchestrator.Worker;
import io.dataplane.orchestrator.WorkerGroup;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.engine.AttemptState;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Row mappers of the orchestrator's tables. */
public final class Rows {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private Rows() {}

  public static final String RUN_COLS =
      "id, environment, pipeline, release_id, request_id, params, trigger, requested_by, state,"
          + " error, rerun_of, created_at, started_at, finished_at, deadline_at, sla_due_at,"
          + " sla_missed_at";

  public static final String TASK_RUN_COLS =
      "id, run_id, task_key, worker_group, state, attempt, retries_used, retry_at, ready_at,"
          + " outputs, error, started_at, finished_at, reused_from";

  public static final String ATTEMPT_COLS =
      "task_run_id, attempt, state, worker_id, dispatched_at, claimed_at, started_at, finished_at,"
          + " deadline_at, exit_code, error, logs_complete";

  public static final String RELEASE_COLS =
      "id, environment, pipeline, digest, bundle_digest, definition, created_at, created_by";

  public static Environment environment(ResultSet rs) throws SQLException {
    return new Environment(
        rs.getString("name"),
        rs.getString("description"),
        instant(rs, "created_at"),
        rs.getString("created_by"));
  }

  public static WorkerGroup workerGroup(ResultSet rs) throws SQLException {
    return new WorkerGroup(
        rs.getString("environment"),
        rs.getString("name"),
        rs.getString("description"),
        instant(rs, "created_at"),
        rs.getString("created_by"));
  }

  public static Release release(ResultSet rs) throws SQLException {
    return new Release(
        uuid(rs, "id"),
        rs.getString("environment"),
        rs.getString("pipeline"),
        rs.getString("digest"),
        rs.getString("bundle_digest"),
        json(rs, "definition", PipelineDefinition.class),
        instant(rs, "created_at"),
        rs.getString("created_by"));
  }

  public static Map<String, Object> map(ResultSet rs, String col) throws SQLException {
    String s = rs.getString(col);
    if (s == null) {
      return null;
    }
    try {
      return Json.mapper().readValue(s, MAP);
    } catch (IOException e) {
      throw new SQLException("unreadable JSON in " + col, e);
    }
  }

  public static PipelineRun run(ResultSet rs) throws SQLException {
    return new PipelineRun(
        uuid(rs, "id"),
        rs.getString("environment"),
        rs.getString("pipeline"),
        uuid(rs, "release_id"),
        rs.getString("request_id"),
        map(rs, "params"),
        rs.getString("trigger"),
        rs.getString("requested_by"),
        RunState.valueOf(rs.getString("state")),
        rs.getString("error"),
        uuid(rs, "rerun_of"),
        instant(rs, "created_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        instant(rs, "deadline_at"),
        instant(rs, "sla_due_at"),
        instant(rs, "sla_missed_at"),
        null,
        null);
  }

  public static TaskRun taskRun(ResultSet rs) throws SQLException {
    return new TaskRun(
        uuid(rs, "id"),
        uuid(rs, "run_id"),
        rs.getString("task_key"),
        rs.getString("worker_group"),
        TaskRunState.valueOf(rs.getString("state")),
        rs.getInt("attempt"),
        rs.getInt("retries_used"),
        instant(rs, "retry_at"),
        instant(rs, "ready_at"),
        map(rs, "outputs"),
        rs.getString("error"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        uuid(rs, "reused_from"),
        null,
        null);
  }

  public static Attempt attempt(ResultSet rs) throws SQLException {
    return new Attempt(
        uuid(rs, "task_run_id"),
        rs.getInt("attempt"),
        AttemptState.valueOf(rs.getString("state")),
        rs.getString("worker_id"),
        instant(rs, "dispatched_at"),
        instant(rs, "claimed_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        instant(rs, "deadline_at"),
        Db.intOrNull(rs, "exit_code"),
        rs.getString("error"),
        rs.getBoolean("logs_complete"));
  }

  public static Deployment deployment(ResultSet rs) throws SQLException {
    @SuppressWarnings("unchecked")
    Map<String, String> m = json(rs, "worker_group_map", Map.class);
    return new Deployment(
        uuid(rs, "id"),
        rs.getString("kind"),
        uuid(rs, "release_id"),
        rs.getString("environment"),
        rs.getString("pipeline"),
        rs.getString("from_environment"),
        uuid(rs, "from_release_id"),
        m,
        rs.getString("deployed_by"),
        instant(rs, "deployed_at"));
  }

  public static Worker worker(ResultSet rs) throws SQLException {
    String[] groups = (String[]) rs.getArray("groups").getArray();
    List<RunningAttempt> running;
    try {
      String r = rs.getString("running");
      running =
          r == null
              ? List.of()
              : Json.mapper().readValue(r, new TypeReference<List<RunningAttempt>>() {});
    } catch (IOException e) {
      running = List.of();
    }
    return new Worker(
        rs.getString("worker_id"),
        Arrays.asList(groups),
        rs.getString("state"),
        rs.getString("version"),
        rs.getDouble("cpu_load"),
        rs.getLong("memory_used_bytes"),
        rs.getLong("memory_total_bytes"),
        rs.getDouble("system_load"),
        rs.getInt("slots"),
        rs.getInt("free_slots"),
        running,
        rs.getBoolean("draining"),
        instant(rs, "started_at"),
        instant(rs, "last_seen"),
        rs.getString("sandbox"));
  }
}
