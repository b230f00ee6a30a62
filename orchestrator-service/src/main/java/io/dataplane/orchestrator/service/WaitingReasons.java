package io.dataplane.orchestrator.service;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.PipelineRun;
import io.dataplane.orchestrator.TaskRun;
import io.dataplane.orchestrator.Worker;
import io.dataplane.orchestrator.dag.Dag;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.engine.AttemptState;
import io.dataplane.orchestrator.engine.Waiting;
import io.dataplane.orchestrator.repository.Db;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the facts {@link Waiting} needs for a page of runs (a fixed number of queries, whatever the
 * page's size) and attaches each run's and each task run's waiting reason.
 */
@ApplicationScoped
public class WaitingReasons {

  private static final int HOLDERS_SHOWN = 10;

  private final PipelineService pipelines;

  public WaitingReasons(PipelineService pipelines) {
    this.pipelines = pipelines;
  }

  private record TaskFacts(
      UUID id,
      UUID runId,
      String key,
      TaskRunState state,
      Instant retryAt,
      String group,
      AttemptState attempt) {}

  /**
   * The runs with their waiting reasons; a run read with its task runs also gets theirs. Ended runs
   * are returned as they are.
   */
  public List<PipelineRun> explain(Db.Tx tx, List<PipelineRun> runs) throws SQLException {
    List<PipelineRun> waiting = runs.stream().filter(r -> !r.state().isTerminal()).toList();
    if (waiting.isEmpty()) {
      return runs;
    }
    UUID[] runIds = waiting.stream().map(PipelineRun::id).toArray(UUID[]::new);
    Map<UUID, List<TaskFacts>> tasksByRun = new HashMap<>();
    Set<String> groups = new LinkedHashSet<>();
    Map<UUID, PipelineRun> byId = new HashMap<>();
    waiting.forEach(r -> byId.put(r.id(), r));
    for (TaskFacts t :
        tx.list(
            "select t.id, t.run_id, t.task_key, t.state, t.retry_at, t.worker_group, a.state as"
                + " attempt_state from task_runs t left join attempts a on a.task_run_id = t.id"
                + " and a.attempt = t.attempt where t.run_id = any(?::uuid[])",
            rs ->
                new TaskFacts(
                    Db.uuid(rs, "id"),
                    Db.uuid(rs, "run_id"),
                    rs.getString("task_key"),
                    TaskRunState.valueOf(rs.getString("state")),
                    Db.instant(rs, "retry_at"),
                    rs.getString("worker_group"),
                    rs.getString("attempt_state") == null
                        ? null
                        : AttemptState.valueOf(rs.getString("attempt_state"))),
            (Object) runIds)) {
      tasksByRun.computeIfAbsent(t.runId(), k -> new ArrayList<>()).add(t);
      if (t.attempt() == AttemptState.DISPATCHED) {
        groups.add(byId.get(t.runId()).environment() + "/" + t.group());
      }
    }
    Map<String, Waiting.Group> groupFacts = groups(tx, groups);
    Map<UUID, Integer> positions = queuePositions(tx, groups);
    Map<UUID, PipelineDefinition> definitions = new HashMap<>();
    List<PipelineRun> out = new ArrayList<>(runs.size());
    for (PipelineRun run : runs) {
      if (run.state().isTerminal()) {
        out.add(run);
        continue;
      }
      PipelineDefinition def =
          definitions.computeIfAbsent(run.releaseId(), id -> definition(tx, id));
      List<TaskFacts> facts = tasksByRun.getOrDefault(run.id(), List.of());
      Map<String, TaskRunState> states = new HashMap<>();
      facts.forEach(t -> states.put(t.key(), t.state()));
      Dag dag = Dag.of(def);
      Map<UUID, Waiting.Reason> taskReasons = new HashMap<>();
      List<Waiting.KeyedReason> keyed = new ArrayList<>();
      boolean anyRunning = false;
      for (TaskFacts t : facts) {
        anyRunning |=
            t.state() == TaskRunState.RUNNING
                || t.attempt() == AttemptState.CLAIMED
                || t.attempt() == AttemptState.RUNNING;
        String ref = run.environment() + "/" + t.group();
        Waiting.Reason reason =
            Waiting.task(
                new Waiting.Task(
                    t.key(),
                    t.state(),
                    t.attempt(),
                    t.retryAt(),
                    dag.keys().contains(t.key())
                        ? dag.dependenciesOf(t.key()).stream()
                            .filter(u -> states.containsKey(u) && !states.get(u).isTerminal())
                            .sorted()
                            .toList()
                        : List.of(),
                    positions.get(t.id())),
                groupFacts.getOrDefault(ref, Waiting.Group.empty(ref)));
        if (reason != null) {
          taskReasons.put(t.id(), reason);
          keyed.add(new Waiting.KeyedReason(t.key(), reason));
        }
      }
      Waiting.Reason runReason;
      if (run.state() == RunState.QUEUED && def.concurrency() != null) {
        List<String> holders =
            tx.list(
                "select id from runs where environment = ? and pipeline = ? and state = 'RUNNING'"
                    + " order by seq limit "
                    + HOLDERS_SHOWN,
                rs -> rs.getString(1),
                run.environment(),
                run.pipeline());
        long before =
            tx.one(
                    "select count(*) from runs where environment = ? and pipeline = ?"
                        + " and state = 'QUEUED' and seq < (select seq from runs where id = ?)",
                    rs -> rs.getLong(1),
                    run.environment(),
                    run.pipeline(),
                    run.id())
                .orElse(0L);
        runReason =
            Waiting.run(run.state(), def.concurrency(), holders, before + 1, anyRunning, keyed);
      } else {
        runReason = Waiting.run(run.state(), null, List.of(), 0, anyRunning, keyed);
      }
      List<TaskRun> trs = run.taskRuns();
      if (trs != null) {
        trs = trs.stream().map(t -> t.with(t.attempts(), taskReasons.get(t.id()))).toList();
      }
      out.add(run.with(trs, runReason));
    }
    return out;
  }

  private PipelineDefinition definition(Db.Tx tx, UUID releaseId) {
    try {
      return pipelines.release(tx, releaseId).definition();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The workers of each {@code environment/group}, as their heartbeats say. */
  private static Map<String, Waiting.Group> groups(Db.Tx tx, Set<String> refs) throws SQLException {
    Map<String, Waiting.Group> out = new HashMap<>();
    if (refs.isEmpty()) {
      return out;
    }
    for (Waiting.Group g :
        tx.list(
            "select g, count(*) as registered, count(*) filter (where live) as live,"
                + " coalesce(sum(slots) filter (where live), 0) as slots,"
                + " coalesce(sum(free_slots) filter (where live), 0) as free_slots from (select g,"
                + " w.slots, w.free_slots, w.state = '"
                + Worker.ACTIVE
                + "' and not w.draining and coalesce(w.sandbox, '') <> 'unavailable' as live"
                + " from workers w, unnest(w.groups) g where g = any(?::text[])) x group by g",
            rs ->
                new Waiting.Group(
                    rs.getString("g"),
                    rs.getInt("registered"),
                    rs.getInt("live"),
                    rs.getInt("slots"),
                    rs.getInt("free_slots")),
            (Object) refs.toArray(String[]::new))) {
      out.put(g.ref(), g);
    }
    return out;
  }

  /** The 1-based place of each DISPATCHED attempt in its group's queue, oldest first. */
  private static Map<UUID, Integer> queuePositions(Db.Tx tx, Set<String> refs) throws SQLException {
    Map<UUID, Integer> out = new HashMap<>();
    if (refs.isEmpty()) {
      return out;
    }
    tx.list(
        "select a.task_run_id, row_number() over (partition by r.environment, a.worker_group"
            + " order by a.dispatched_at, a.task_run_id) as pos from attempts a"
            + " join runs r on r.id = a.run_id where a.state = 'DISPATCHED'"
            + " and r.environment || '/' || a.worker_group = any(?::text[])",
        rs -> out.put(Db.uuid(rs, "task_run_id"), rs.getInt("pos")),
        (Object) refs.toArray(String[]::new));
    return out;
  }
}
