package io.dataplane.orchestrator.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.common.events.TaskRunStateChanged;
import io.dataplane.common.events.Topics;
import io.dataplane.common.json.Json;
import io.dataplane.common.text.PgText;
import io.dataplane.common.token.AttemptClaims;
import io.dataplane.common.token.AttemptTokens;
import io.dataplane.orchestrator.Attempt;
import io.dataplane.orchestrator.PipelineRun;
import io.dataplane.orchestrator.Release;
import io.dataplane.orchestrator.TaskRun;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.dag.Dag;
import io.dataplane.orchestrator.dag.ParamChecker;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.engine.Admission;
import io.dataplane.orchestrator.engine.AttemptState;
import io.dataplane.orchestrator.engine.Deadlines;
import io.dataplane.orchestrator.engine.Failure;
import io.dataplane.orchestrator.engine.Fencing;
import io.dataplane.orchestrator.engine.Results;
import io.dataplane.orchestrator.engine.RunRules;
import io.dataplane.orchestrator.messaging.EventOutbox;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.repository.Rows;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The execution engine: every state change of a run, its task runs and their attempts happens here,
 * inside one transaction that also writes the events it causes to the outbox. All changes to one
 * run are serialized by locking the run's row first. The rules themselves (readiness, upstream
 * failure, outcome, backoff) live in {@link RunRules} and {@link Backoff}.
 */
@ApplicationScoped
public class RunEngine {

  private final Db db;
  private final EventOutbox events;
  private final PipelineService pipelines;
  private final OrchestratorConfig config;
  private final AttemptTokens tokens;
  private final Timers timers;
  private final EngineMetrics metrics;
  private final SlaWatch slas;
  private final Map<UUID, Release> releases = new ConcurrentHashMap<>();
  private final Map<UUID, Dag> dags = new ConcurrentHashMap<>();

  public RunEngine(
      Db db,
      EventOutbox events,
      PipelineService pipelines,
      OrchestratorConfig config,
      AttemptTokens tokens,
      Timers timers,
      EngineMetrics metrics,
      SlaWatch slas) {
    this.slas = slas;
    this.db = db;
    this.events = events;
    this.pipelines = pipelines;
    this.config = config;
    this.tokens = tokens;
    this.timers = timers;
    this.metrics = metrics;
  }

  /** A request to start a run (REST or RunRequested). */
  public record StartRequest(
      String environment,
      String pipeline,
      String releaseId,
      Map<String, Object> params,
      String requestId,
      String trigger,
      String requestedBy) {}

  /** A started run, and whether this call created it (false: its requestId was known). */
  public record Started(PipelineRun run, boolean created) {}

  /** The answer to a successful claim. */
  public record Claim(
      boolean claimed,
      UUID runId,
      UUID taskRunId,
      int attempt,
      String workerId,
      Instant deadlineAt) {}

  // --- starting runs ----------------------------------------------------------------------------

  public Started start(StartRequest r) {
    return db.tx(tx -> startTx(tx, r));
  }

  private Started startTx(Db.Tx tx, StartRequest r) throws SQLException {
    if (r.requestId() != null) {
      Optional<PipelineRun> known = runByRequest(tx, r.requestId());
      if (known.isPresent()) {
        return sameRequest(known.get(), r);
      }
    }
    checkParams(r.params());
    pipelines.environment(tx, r.environment());
    Release rel = releaseToRun(tx, r);
    PipelineDefinition def = rel.definition();
    ParamChecker.Result params = ParamChecker.check(def.params(), r.params());
    if (!params.errors().isEmpty()) {
      throw PipelineService.invalid(params.errors());
    }
    lockPipeline(tx, r.environment(), r.pipeline());
    UUID id = UUID.randomUUID();
    int n =
        tx.update(
            "insert into runs (id, environment, pipeline, release_id, request_id, params, trigger,"
                + " requested_by, state) values (?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED')"
                + " on conflict (request_id) do nothing",
            id,
            r.environment(),
            r.pipeline(),
            rel.id(),
            r.requestId(),
            Db.Jsonb.of(params.params()),
            r.trigger() == null ? "API" : r.trigger(),
            r.requestedBy() == null ? "system" : r.requestedBy());
    if (n == 0) {
      return sameRequest(runByRequest(tx, r.requestId()).orElseThrow(), r);
    }
    insertPending(tx, id, dag(rel.id(), def), def.tasks(), Set.of());
    return queued(tx, id, def);
  }

  /**
   * Writes the PENDING task runs of a new run in one statement (a 10,000-task run is one round
   * trip, not 10,000), each with its count of dependencies not among {@code succeeded}.
   */
  private static void insertPending(
      Db.Tx tx, UUID runId, Dag dag, List<PipelineDefinition.Task> tasks, Set<String> succeeded)
      throws SQLException {
    int n = tasks.size();
    UUID[] ids = new UUID[n];
    String[] keys = new String[n];
    String[] groups = new String[n];
    Integer[] unmet = new Integer[n];
    for (int i = 0; i < n; i++) {
      PipelineDefinition.Task t = tasks.get(i);
      ids[i] = UUID.randomUUID();
      keys[i] = t.key();
      groups[i] = t.workerGroup();
      unmet[i] = RunRules.unmetDependencies(dag, t.key(), succeeded);
    }
    tx.update(
        "insert into task_runs (id, run_id, task_key, worker_group, state, unmet_deps)"
            + " select id, ?, task_key, worker_group, 'PENDING', unmet_deps"
            + " from unnest(?, ?, ?, ?) as t (id, task_key, worker_group, unmet_deps)",
        runId,
        ids,
        keys,
        groups,
        unmet);
  }

  /** A run whose task runs were just written: QUEUED, its SLA armed, admitted if it may start. */
  private Started queued(Db.Tx tx, UUID id, PipelineDefinition def) throws SQLException {
    PipelineRun run = lockRun(tx, id);
    slas.arm(tx, run, def);
    runChanged(tx, run, RunState.QUEUED, null);
    admit(tx, run, def);
    return new Started(readRun(tx, id), true);
  }

  /**
   * Run params travel in every dispatch of the run: they are capped, and must be text PostgreSQL
   * stores (no NUL, no unpaired surrogate).
   */
  private void checkParams(Map<String, Object> params) {
    if (params == null || params.isEmpty()) {
      return;
    }
    int size;
    try {
      size = Json.mapper().writeValueAsBytes(params).length;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw DataplaneException.invalid("params", "params are not a JSON object");
    }
    if (size > config.maxParamsBytes()) {
      throw DataplaneException.tooLarge(
          "run params are "
              + size
              + " bytes of JSON; at most "
              + config.maxParamsBytes()
              + " are allowed (pass large data through a file, not a param)");
    }
    if (PgText.cleanValue(params) != params) {
      throw DataplaneException.invalid(
          "params", "params must not contain NUL characters or unpaired surrogates");
    }
  }

  private static Started sameRequest(PipelineRun known, StartRequest r) {
    if (!known.environment().equals(r.environment()) || !known.pipeline().equals(r.pipeline())) {
      throw DataplaneException.conflict(
          "requestId '" + r.requestId() + "' was already used for another pipeline");
    }
    return new Started(known, false);
  }

  private Release releaseToRun(Db.Tx tx, StartRequest r) throws SQLException {
    if (r.releaseId() != null && !r.releaseId().isBlank()) {
      UUID rid;
      try {
        rid = UUID.fromString(r.releaseId());
      } catch (IllegalArgumentException e) {
        throw DataplaneException.invalid("releaseId", "releaseId is not a release id");
      }
      Release rel = pipelines.release(tx, rid);
      if (!rel.environment().equals(r.environment()) || !rel.pipeline().equals(r.pipeline())) {
        throw DataplaneException.invalid(
            "releaseId", "release " + rid + " is not a release of this pipeline");
      }
      return rel;
    }
    Optional<Release> latest = pipelines.currentRelease(tx, r.environment(), r.pipeline());
    if (latest.isEmpty()) {
      pipelines.pipeline(tx, r.environment(), r.pipeline()); // 404 when there is no such pipeline
      throw DataplaneException.conflict(
          "pipeline '" + r.pipeline() + "' has no release yet; create one first");
    }
    return latest.get();
  }

  private void lockPipeline(Db.Tx tx, String env, String pipeline) throws SQLException {
    tx.list("select pg_advisory_xact_lock(hashtext(?))", rs -> 1, env + "/" + pipeline);
  }

  /** Applies the concurrency policy to a QUEUED run: start it, keep it queued, or end it. */
  private void admit(Db.Tx tx, PipelineRun run, PipelineDefinition def) throws SQLException {
    PipelineDefinition.Concurrency c = def.concurrency();
    Admission.Decision d = Admission.forNewRun(c, 0, 0);
    if (c != null) {
      d =
          Admission.forNewRun(
              c,
              runningRuns(tx, run.environment(), run.pipeline()),
              tx.one(
                      "select count(*) from runs where environment = ? and pipeline = ?"
                          + " and state = 'QUEUED' and seq < (select seq from runs where id = ?)",
                      rs -> rs.getLong(1),
                      run.environment(),
                      run.pipeline(),
                      run.id())
                  .orElse(0L));
    }
    switch (d.action()) {
      case START -> startRunning(tx, run, def);
      case WAIT -> {}
      case CANCEL -> endRun(tx, run, def, RunState.CANCELLED, d.reason());
      case FAIL -> endRun(tx, run, def, RunState.FAILED, d.reason());
    }
  }

  private static long runningRuns(Db.Tx tx, String env, String pipeline) throws SQLException {
    return tx.one(
            "select count(*) from runs where environment = ? and pipeline = ?"
                + " and state = 'RUNNING'",
            rs -> rs.getLong(1),
            env,
            pipeline)
        .orElse(0L);
  }

  private void startRunning(Db.Tx tx, PipelineRun run, PipelineDefinition def) throws SQLException {
    Instant deadline = Deadlines.run(def.maxDuration(), Instant.now());
    tx.update(
        "update runs set state = 'RUNNING', started_at = now(), deadline_at = ? where id = ?",
        deadline,
        run.id());
    runChanged(tx, run, RunState.RUNNING, run.state());
    if (deadline != null) {
      UUID id = run.id();
      tx.afterCommit(() -> timers.at(deadline, "run deadline " + id, () -> runDeadline(id)));
    }
    progress(tx, lockRun(tx, run.id()), def);
  }

  /** Starts queued runs of a pipeline while its concurrency allows (oldest first). */
  public void admitQueued(String env, String pipeline) {
    db.tx(
        tx -> {
          lockPipeline(tx, env, pipeline);
          List<UUID> queued =
              tx.list(
                  "select id from runs where environment = ? and pipeline = ? and state = 'QUEUED'"
                      + " order by seq",
                  rs -> Db.uuid(rs, "id"),
                  env,
                  pipeline);
          for (UUID id : queued) {
            PipelineRun run = lockRun(tx, id);
            if (run.state() != RunState.QUEUED) {
              continue;
            }
            PipelineDefinition def = release(tx, run.releaseId()).definition();
            if (!Admission.mayStartQueued(def.concurrency(), runningRuns(tx, env, pipeline))) {
              break;
            }
            startRunning(tx, run, def);
          }
          return null;
        });
  }

  // --- progress --------------------------------------------------------------------------------

  /** Propagates upstream failures, dispatches ready tasks, ends the run when all are terminal. */
  private void progress(Db.Tx tx, PipelineRun run, PipelineDefinition def) throws SQLException {
    if (run.state() != RunState.RUNNING) {
      return;
    }
    Map<String, TaskRun> trs = taskRuns(tx, run.id());
    Map<String, TaskRunState> states = new LinkedHashMap<>();
    trs.forEach((k, t) -> states.put(k, t.state()));
    Dag dag = dag(run.releaseId(), def);
    for (String k : RunRules.upstreamFailed(dag, states)) {
      TaskRun t = trs.get(k);
      String error = RunRules.upstreamError(dag, states, k);
      tx.update(
          "update task_runs set state = 'UPSTREAM_FAILED', error = ?, finished_at = now()"
              + " where id = ?",
          error,
          t.id());
      states.put(k, TaskRunState.UPSTREAM_FAILED);
      taskChanged(tx, t, TaskRunState.UPSTREAM_FAILED, error);
    }
    boolean failedBeforeDispatch = false;
    for (String k : RunRules.ready(dag, states)) {
      if (dispatch(tx, run, def, trs.get(k), trs)) {
        states.put(k, TaskRunState.QUEUED);
      } else {
        failedBeforeDispatch = true;
      }
    }
    if (failedBeforeDispatch) {
      // its downstream tasks are UPSTREAM_FAILED now, and the run may have ended
      progress(tx, run, def);
      return;
    }
    RunState outcome = RunRules.outcome(states);
    if (outcome != null) {
      endRun(tx, run, def, outcome, RunRules.outcomeError(outcome, states));
    }
  }

  /**
   * Moves a run on after one of its tasks succeeded, touching only what that can change: its
   * dependents are counted down, those left with no unmet dependency are dispatched, and the run
   * ends when no task is left unfinished. The cost of a result so does not grow with the size of
   * the run (the full {@link #progress} reads every task run). Falls back to {@link #progress} for
   * a run whose task runs predate the count, and when a task fails before its dispatch.
   */
  private void progressAfterSuccess(Db.Tx tx, PipelineRun run, PipelineDefinition def, String key)
      throws SQLException {
    if (run.state() != RunState.RUNNING) {
      return;
    }
    Dag dag = dag(run.releaseId(), def);
    List<String> dependents = RunRules.countedDown(dag, key);
    if (!dependents.isEmpty()) {
      List<Object[]> counted =
          tx.list(
              "update task_runs set unmet_deps = unmet_deps - 1"
                  + " where run_id = ? and task_key = any(?) returning task_key, state, unmet_deps",
              rs -> new Object[] {rs.getString(1), rs.getString(2), Db.intOrNull(rs, "unmet_deps")},
              run.id(),
              dependents.toArray(String[]::new));
      List<String> ready = new ArrayList<>();
      for (Object[] c : counted) {
        if (c[2] == null) {
          progress(tx, run, def); // created before the count existed
          return;
        }
        if ((Integer) c[2] == 0 && TaskRunState.PENDING.name().equals(c[1])) {
          ready.add((String) c[0]);
        }
      }
      if (!ready.isEmpty()) {
        Set<String> needed = new HashSet<>(ready);
        ready.forEach(k -> needed.addAll(dag.dependenciesOf(k)));
        Map<String, TaskRun> trs = taskRuns(tx, run.id(), needed);
        for (String k : ready) {
          if (!dispatch(tx, run, def, trs.get(k), trs)) {
            progress(tx, run, def);
            return;
          }
        }
        return;
      }
    }
    boolean unfinished =
        tx.one(
                "select exists (select 1 from task_runs where run_id = ?"
                    + " and state in ('PENDING', 'QUEUED', 'RUNNING'))",
                rs -> rs.getBoolean(1),
                run.id())
            .orElse(true);
    if (!unfinished) {
      progress(tx, run, def); // every task ended: the full pass decides how the run ended
    }
  }

  /**
   * Dispatches the next attempt of a task; false when the task failed instead with INPUTS_TOO_LARGE
   * because its dispatch could never be sent (the caller moves the run on).
   */
  private boolean dispatch(
      Db.Tx tx, PipelineRun run, PipelineDefinition def, TaskRun tr, Map<String, TaskRun> trs)
      throws SQLException {
    int attempt = tr.attempt() + 1;
    TaskDispatched event = dispatchEvent(tx, run, def, tr, attempt, trs);
    String tooLarge = dispatchTooLarge(event);
    if (tooLarge != null) {
      String error = ErrorCodes.INPUTS_TOO_LARGE + ": " + tooLarge;
      Log.warnf("task %s of run %s fails before dispatch: %s", tr.taskKey(), run.id(), error);
      tx.update(
          "update task_runs set state = 'FAILED', retry_at = null, error = ?, finished_at = now()"
              + " where id = ?",
          error,
          tr.id());
      taskChanged(tx, tr, TaskRunState.FAILED, error);
      return false;
    }
    tx.update(
        "update task_runs set state = 'QUEUED', attempt = ?, retry_at = null, ready_at = now()"
            + " where id = ?",
        attempt,
        tr.id());
    tx.update(
        "insert into attempts (task_run_id, attempt, run_id, worker_group, state)"
            + " values (?, ?, ?, ?, 'DISPATCHED')",
        tr.id(),
        attempt,
        run.id(),
        tr.workerGroup());
    events.append(
        tx, Topics.taskDispatch(run.environment(), tr.workerGroup()), run.id().toString(), event);
    if (tr.state() != TaskRunState.QUEUED) {
      taskChanged(tx, tr, TaskRunState.QUEUED, attempt, null);
    }
    return true;
  }

  /**
   * Why a dispatch can never be sent (its inputs, or the whole record, are larger than allowed), or
   * null.
   */
  private String dispatchTooLarge(TaskDispatched d) {
    try {
      int inputs = d.inputs() == null ? 0 : Json.mapper().writeValueAsBytes(d.inputs()).length;
      if (inputs > config.maxInputsBytes()) {
        return "the inputs of task '"
            + d.taskKey()
            + "' (outputs of its upstream tasks) are "
            + inputs
            + " bytes of JSON; at most "
            + config.maxInputsBytes()
            + " are allowed";
      }
      int size = Json.mapper().writeValueAsBytes(d).length;
      if (size > config.maxDispatchBytes()) {
        return "the dispatch of task '"
            + d.taskKey()
            + "' (script, params and inputs) is "
            + size
            + " bytes of JSON; at most "
            + config.maxDispatchBytes()
            + " can be sent";
      }
      return null;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return "the dispatch of task '" + d.taskKey() + "' cannot be written as JSON";
    }
  }

  /** Appends the TaskDispatched of {@code attempt} to the outbox (a dispatch sent again). */
  private void publishDispatch(
      Db.Tx tx,
      PipelineRun run,
      PipelineDefinition def,
      TaskRun tr,
      int attempt,
      Map<String, TaskRun> trs)
      throws SQLException {
    events.append(
        tx,
        Topics.taskDispatch(run.environment(), tr.workerGroup()),
        run.id().toString(),
        dispatchEvent(tx, run, def, tr, attempt, trs));
  }

  /** The TaskDispatched of {@code attempt}. */
  private TaskDispatched dispatchEvent(
      Db.Tx tx,
      PipelineRun run,
      PipelineDefinition def,
      TaskRun tr,
      int attempt,
      Map<String, TaskRun> trs)
      throws SQLException {
    PipelineDefinition.Task task = def.task(tr.taskKey());
    Release rel = release(tx, run.releaseId());
    if (trs == null) {
      trs = taskRuns(tx, run.id(), Set.copyOf(task.dependsOn())); // the inputs' task runs only
    }
    Map<String, Object> inputs = new LinkedHashMap<>();
    for (String d : task.dependsOn()) {
      TaskRun up = trs.get(d);
      inputs.put(d, up == null || up.outputs() == null ? Map.of() : up.outputs());
    }
    Long timeoutMillis = task.timeout() == null ? null : Duration.parse(task.timeout()).toMillis();
    Duration life =
        task.timeout() != null
            ? Duration.parse(task.timeout())
            : def.maxDuration() != null ? Duration.parse(def.maxDuration()) : Duration.ofDays(1);
    Instant now = Instant.now();
    String token =
        tokens.sign(
            new AttemptClaims(
                run.environment(),
                run.pipeline(),
                tr.workerGroup(),
                run.id(),
                tr.id(),
                attempt,
                task.secrets(),
                rel.bundleDigest(),
                now.plus(life).plus(config.attemptTokenMargin())));
    return new TaskDispatched(
        run.environment(),
        run.pipeline(),
        run.id(),
        tr.id(),
        tr.taskKey(),
        attempt,
        rel.id().toString(),
        rel.bundleDigest(),
        tr.workerGroup(),
        task.runtime(),
        task.script(),
        task.entrypoint(),
        task.env(),
        run.params(),
        task.secrets(),
        task.network(),
        timeoutMillis,
        inputs,
        token,
        now);
  }

  /** Ends a run: unfinished tasks are cancelled (running attempts get CancelAttempt). */
  private void endRun(
      Db.Tx tx, PipelineRun run, PipelineDefinition def, RunState state, String error)
      throws SQLException {
    if (run.state().isTerminal()) {
      return;
    }
    for (TaskRun t : taskRuns(tx, run.id()).values()) {
      if (t.state().isTerminal()) {
        continue;
      }
      Optional<Attempt> a = attempt(tx, t.id(), t.attempt());
      if (a.isPresent() && a.get().active()) {
        cancelAttempt(
            tx, run, t, a.get(), AttemptState.CANCELLED, "run " + state.name().toLowerCase());
      }
      tx.update(
          "update task_runs set state = 'CANCELLED', retry_at = null, finished_at = now(),"
              + " error = coalesce(error, ?) where id = ?",
          error,
          t.id());
      taskChanged(tx, t, TaskRunState.CANCELLED, error);
    }
    slas.markIfMissed(tx, run, state);
    tx.update(
        "update runs set state = ?, error = ?, finished_at = now() where id = ?",
        state,
        error,
        run.id());
    runChanged(tx, run, state, run.state());
    if (def.concurrency() != null) {
      String env = run.environment();
      String p = run.pipeline();
      tx.afterCommit(() -> admitQueued(env, p));
    }
  }

  /** Marks an active attempt ended and tells its worker to kill it. */
  private void cancelAttempt(
      Db.Tx tx, PipelineRun run, TaskRun t, Attempt a, AttemptState newState, String reason)
      throws SQLException {
    a.state().moveTo(newState);
    tx.update(
        "update attempts set state = ?, finished_at = now(), error = ? where task_run_id = ?"
            + " and attempt = ?",
        newState,
        reason,
        t.id(),
        a.attempt());
    if (a.workerId() != null) {
      events.append(
          tx,
          Topics.TASK_CONTROL,
          a.workerId(),
          new CancelAttempt(a.workerId(), run.id(), t.id(), a.attempt(), reason));
    }
  }

  // --- claims and results ----------------------------------------------------------------------

  /**
   * Claims {@code (taskRunId, attempt)} for {@code workerId}. {@code claimId} (optional) names this
   * claim: asked again with the same id after its answer was lost, the claim is answered again
   * instead of refused ({@link Fencing#repeatedClaim}).
   */
  public Claim claim(UUID taskRunId, int attempt, String workerId, UUID claimId) {
    if (workerId == null || workerId.isBlank()) {
      throw DataplaneException.invalid("workerId", "workerId is required");
    }
    return db.tx(
        tx -> {
          Locked l =
              lock(tx, taskRunId, attempt)
                  .orElseThrow(() -> DataplaneException.notFound("task run " + taskRunId));
          PipelineRun run = l.run();
          TaskRun tr = l.taskRun();
          if (l.attempt().isEmpty()) {
            throw DataplaneException.notFound("attempt " + attempt + " of task run " + taskRunId);
          }
          String refusal = Fencing.claimRefusal(l.view());
          if (refusal != null) {
            Optional<Claim> again = repeatedClaim(tx, l, workerId, claimId);
            if (again.isPresent()) {
              return again.get();
            }
            throw DataplaneException.conflict(
                "attempt "
                    + attempt
                    + " of task run "
                    + taskRunId
                    + " cannot be claimed ("
                    + refusal
                    + ")");
          }
          l.attempt().get().state().moveTo(AttemptState.CLAIMED);
          PipelineDefinition def = release(tx, run.releaseId()).definition();
          Instant deadline =
              Deadlines.attempt(
                  def.task(tr.taskKey()).timeout(), Instant.now(), config.timeoutGrace());
          int n =
              tx.update(
                  "update attempts set state = 'CLAIMED', worker_id = ?, claim_id = ?,"
                      + " claimed_at = now(), deadline_at = ? where task_run_id = ? and attempt = ?"
                      + " and state = 'DISPATCHED'",
                  workerId,
                  claimId,
                  deadline,
                  taskRunId,
                  attempt);
          if (n != 1) {
            throw DataplaneException.conflict("attempt " + attempt + " was claimed already");
          }
          markRunning(tx, tr, deadline);
          return new Claim(true, run.id(), taskRunId, attempt, workerId, deadline);
        });
  }

  /** The answer of a claim asked again with its id, when {@link Fencing#repeatedClaim} holds. */
  private static Optional<Claim> repeatedClaim(Db.Tx tx, Locked l, String workerId, UUID claimId)
      throws SQLException {
    if (claimId == null) {
      return Optional.empty();
    }
    record Held(UUID claimId, Instant deadlineAt) {}
    UUID taskRunId = l.taskRun().id();
    return tx.one(
            "select claim_id, deadline_at from attempts where task_run_id = ? and attempt = ?",
            rs -> new Held(Db.uuid(rs, "claim_id"), Db.instant(rs, "deadline_at")),
            taskRunId,
            l.number())
        .filter(h -> Fencing.repeatedClaim(l.view(), workerId, claimId, h.claimId()))
        .map(h -> new Claim(true, l.run().id(), taskRunId, l.number(), workerId, h.deadlineAt()));
  }

  /**
   * Whether {@code (taskRunId, attempt)} is its task run's current attempt and claimed or running:
   * the only time its attempt token may resolve secrets (a finished, cancelled, lost or superseded
   * attempt's token is refused by secrets-service).
   */
  public boolean isCurrent(UUID taskRunId, int attempt) {
    return db.tx(
        tx ->
            tx.one(
                    "select 1 from attempts a join task_runs t on t.id = a.task_run_id"
                        + " where a.task_run_id = ? and a.attempt = ? and t.attempt = a.attempt"
                        + " and a.state in ('CLAIMED', 'RUNNING') and t.state = 'RUNNING'",
                    rs -> Boolean.TRUE,
                    taskRunId,
                    attempt)
                .isPresent());
  }

  private void markRunning(Db.Tx tx, TaskRun tr, Instant deadline) throws SQLException {
    tx.update(
        "update task_runs set state = 'RUNNING', started_at = coalesce(started_at, now())"
            + " where id = ?",
        tr.id());
    taskChanged(tx, tr, TaskRunState.RUNNING, null);
    Instant ready = tr.readyAt();
    tx.afterCommit(
        () -> {
          if (ready != null) {
            metrics.dispatchLatency(Duration.between(ready, Instant.now()));
          }
        });
    if (deadline != null) {
      UUID id = tr.id();
      int attempt = tr.attempt();
      tx.afterCommit(
          () -> timers.at(deadline, "attempt deadline " + id, () -> attemptDeadline(id, attempt)));
    }
  }

  /** Records a processed event id; false when it was processed before. */
  private static boolean firstTime(Db.Tx tx, UUID eventId) throws SQLException {
    return tx.update(
            "insert into processed_events (event_id) values (?) on conflict do nothing", eventId)
        == 1;
  }

  /**
   * Whether an AttemptStarted or AttemptFinished carries a genuine token of its own attempt: a
   * start or a result is accepted only from a holder of the attempt's token, never from another
   * worker that merely names the attempt.
   */
  private boolean proven(String token, UUID taskRunId, int attempt, String workerId) {
    if (tokens.proves(token, taskRunId, attempt)) {
      return true;
    }
    Log.warnf(
        "event of task run %s attempt %d from %s refused: it does not carry the attempt's token",
        taskRunId, attempt, workerId);
    return false;
  }

  /**
   * Applies task events (AttemptStarted, AttemptFinished; one, or many as a group commit) in one
   * transaction: one commit instead of one per event. The events are applied ordered by run
   * (stable, so the events of one run keep their order), so that two batches lock runs in the same
   * order. When this throws, nothing of the batch was applied.
   */
  public void onTaskEvents(List<EventEnvelope<? extends Event>> batch) {
    List<EventEnvelope<? extends Event>> ordered = new ArrayList<>(batch);
    ordered.sort(
        Comparator.comparing(
            RunEngine::runOf, Comparator.nullsFirst(Comparator.<UUID>naturalOrder())));
    db.tx(
        tx -> {
          for (EventEnvelope<? extends Event> env : ordered) {
            if (env.payload() instanceof AttemptStarted s) {
              started(tx, env.eventId(), s);
            } else if (env.payload() instanceof AttemptFinished f) {
              finished(tx, env.eventId(), cleaned(f));
            }
          }
          return null;
        });
  }

  private static UUID runOf(EventEnvelope<? extends Event> env) {
    if (env.payload() instanceof AttemptStarted s) {
      return s.runId();
    }
    return env.payload() instanceof AttemptFinished f ? f.runId() : null;
  }

  private Void started(Db.Tx tx, UUID eventId, AttemptStarted e) throws SQLException {
    if (!firstTime(tx, eventId)) {
      return null;
    }
    Optional<Locked> l = lock(tx, e.taskRunId(), e.attempt());
    if (l.isEmpty()) {
      return null; // not a task run of this orchestrator
    }
    PipelineRun run = l.get().run();
    TaskRun tr = l.get().taskRun();
    Optional<Attempt> a = l.get().attempt();
    if (!proven(e.attemptToken(), e.taskRunId(), e.attempt(), e.workerId())) {
      // not even a stale start of this attempt: no CancelAttempt to whoever it names
      tx.afterCommit(metrics::fenced);
      return null;
    }
    if (!Fencing.current(l.get().view(), e.workerId(), false)) {
      tx.afterCommit(metrics::fenced);
      if (e.workerId() != null) {
        events.append(
            tx,
            Topics.TASK_CONTROL,
            e.workerId(),
            new CancelAttempt(
                e.workerId(), run.id(), tr.id(), e.attempt(), "attempt is not current"));
      }
      return null;
    }
    Instant deadline = a.get().deadlineAt();
    if (a.get().state() == AttemptState.DISPATCHED && deadline == null) {
      deadline =
          Deadlines.attempt(
              release(tx, run.releaseId()).definition().task(tr.taskKey()).timeout(),
              Instant.now(),
              config.timeoutGrace());
    }
    a.get().state().moveTo(AttemptState.RUNNING);
    tx.update(
        "update attempts set state = 'RUNNING', started_at = coalesce(started_at, ?),"
            + " worker_id = coalesce(worker_id, ?), deadline_at = ?"
            + " where task_run_id = ? and attempt = ?",
        e.startedAt() == null ? Instant.now() : e.startedAt(),
        e.workerId(),
        deadline,
        tr.id(),
        e.attempt());
    if (tr.state() == TaskRunState.QUEUED) {
      markRunning(tx, tr, deadline);
    }
    return null;
  }

  /** Checked again here: text PostgreSQL refuses (NUL, unpaired surrogates) from any worker. */
  private static AttemptFinished cleaned(AttemptFinished e0) {
    return new AttemptFinished(
        e0.runId(),
        e0.taskRunId(),
        e0.attempt(),
        e0.workerId(),
        e0.outcome(),
        e0.exitCode(),
        PgText.cleanValue(e0.outputs()),
        PgText.clean(e0.error()),
        e0.durationMillis(),
        e0.finishedAt(),
        e0.attemptToken());
  }

  private Void finished(Db.Tx tx, UUID eventId, AttemptFinished e) throws SQLException {
    if (!firstTime(tx, eventId)) {
      return null;
    }
    Optional<Locked> l = lock(tx, e.taskRunId(), e.attempt());
    if (l.isEmpty()) {
      return null;
    }
    PipelineRun run = l.get().run();
    TaskRun tr = l.get().taskRun();
    Optional<Attempt> a = l.get().attempt();
    boolean current =
        Fencing.current(l.get().view(), e.workerId(), true)
            && proven(e.attemptToken(), e.taskRunId(), e.attempt(), e.workerId());
    if (!current) {
      Log.debugf(
          "fenced result of task run %s attempt %d from %s",
          e.taskRunId(), e.attempt(), e.workerId());
      tx.afterCommit(metrics::fenced);
      return null;
    }
    PipelineDefinition def = release(tx, run.releaseId()).definition();
    Attempt at = a.get();
    Instant started = at.startedAt() != null ? at.startedAt() : at.claimedAt();
    if (started != null) {
      Duration d = Duration.between(started, Instant.now());
      tx.afterCommit(() -> metrics.taskDuration(d));
    }
    boolean succeeded = e.outcome() == AttemptOutcome.SUCCEEDED;
    Results.Decision decision =
        Results.of(e.outcome(), e.error(), succeeded ? outputsProblem(e.outputs()) : null);
    if (decision instanceof Results.Succeed) {
      succeed(tx, run, def, tr, at, e);
    } else if (decision instanceof Results.Requeue q) {
      finishAttempt(tx, tr, at, q.attemptState(), e.exitCode(), e.error());
      dispatchOrMoveOn(tx, run, def, taskRun(tx, tr.id()).orElseThrow());
    } else if (decision instanceof Results.Fail f) {
      failAttempt(tx, run, def, tr, at, f.attemptState(), e.exitCode(), f.error());
    }
    return null;
  }

  private String outputsProblem(Map<String, Object> outputs) {
    if (outputs == null) {
      return null;
    }
    try {
      int size = Json.mapper().writeValueAsBytes(outputs).length;
      if (size > config.maxOutputBytes()) {
        return "outputs are "
            + size
            + " bytes of JSON; at most "
            + config.maxOutputBytes()
            + " (64 KiB) are allowed";
      }
      return null;
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      return "outputs are not a JSON object";
    }
  }

  private void succeed(
      Db.Tx tx, PipelineRun run, PipelineDefinition def, TaskRun tr, Attempt a, AttemptFinished e)
      throws SQLException {
    finishAttempt(tx, tr, a, AttemptState.SUCCEEDED, e.exitCode(), null);
    tx.update(
        "update task_runs set state = 'SUCCEEDED', outputs = ?, error = null,"
            + " finished_at = now() where id = ?",
        e.outputs() == null ? null : Db.Jsonb.of(e.outputs()),
        tr.id());
    taskChanged(tx, tr, TaskRunState.SUCCEEDED, null);
    progressAfterSuccess(tx, run, def, tr.taskKey());
  }

  private static void finishAttempt(
      Db.Tx tx, TaskRun tr, Attempt a, AttemptState state, Integer exitCode, String error)
      throws SQLException {
    a.state().moveTo(state);
    tx.update(
        "update attempts set state = ?, exit_code = ?, error = ?, finished_at = now()"
            + " where task_run_id = ? and attempt = ?",
        state,
        exitCode,
        error,
        tr.id(),
        a.attempt());
  }

  /** The attempt failed: retry after the backoff when retries are left, else fail the task. */
  private void failAttempt(
      Db.Tx tx,
      PipelineRun run,
      PipelineDefinition def,
      TaskRun tr,
      Attempt a,
      AttemptState attemptState,
      Integer exitCode,
      String error)
      throws SQLException {
    finishAttempt(tx, tr, a, attemptState, exitCode, error);
    failTask(tx, run, def, tr, error);
  }

  /** The task run's attempt ended in failure: retry it after the backoff, or the task fails. */
  private void failTask(Db.Tx tx, PipelineRun run, PipelineDefinition def, TaskRun tr, String error)
      throws SQLException {
    if (Failure.decide(
            def.task(tr.taskKey()).retries(),
            tr.retriesUsed(),
            Instant.now(),
            ThreadLocalRandom.current().nextDouble())
        instanceof Failure.RetryAt retry) {
      Instant due = retry.due();
      tx.update(
          "update task_runs set state = 'QUEUED', retries_used = retries_used + 1, retry_at = ?,"
              + " error = ? where id = ?",
          due,
          error,
          tr.id());
      taskChanged(tx, tr, TaskRunState.QUEUED, error);
      UUID id = tr.id();
      tx.afterCommit(() -> timers.at(due, "retry " + id, () -> retryDue(id)));
      return;
    }
    tx.update(
        "update task_runs set state = 'FAILED', error = ?, finished_at = now() where id = ?",
        error,
        tr.id());
    taskChanged(tx, tr, TaskRunState.FAILED, error);
    progress(tx, run, def);
  }

  /** A retry's backoff ran out: dispatch the next attempt. */
  public void retryDue(UUID taskRunId) {
    db.tx(
        tx -> {
          Optional<Locked> l = lock(tx, taskRunId, 0);
          if (l.isEmpty()) {
            return null;
          }
          PipelineRun run = l.get().run();
          TaskRun tr = l.get().taskRun();
          if (!RunRules.retryDue(run.state(), tr.state(), tr.retryAt())) {
            return null;
          }
          if (!Deadlines.due(tr.retryAt(), Instant.now())) {
            Instant due = tr.retryAt();
            tx.afterCommit(() -> timers.at(due, "retry " + taskRunId, () -> retryDue(taskRunId)));
            return null;
          }
          dispatchOrMoveOn(tx, run, release(tx, run.releaseId()).definition(), tr);
          return null;
        });
  }

  /** Dispatches a task's next attempt, or moves the run on when it failed before dispatch. */
  private void dispatchOrMoveOn(Db.Tx tx, PipelineRun run, PipelineDefinition def, TaskRun tr)
      throws SQLException {
    if (!dispatch(tx, run, def, tr, null)) {
      progress(tx, lockRun(tx, run.id()), def);
    }
  }

  /** An attempt's timeout (plus grace) passed without a result: it timed out. */
  public void attemptDeadline(UUID taskRunId, int attempt) {
    db.tx(
        tx -> {
          Optional<Locked> l = lock(tx, taskRunId, attempt);
          if (l.isEmpty() || !Fencing.replaceable(l.get().view())) {
            return null;
          }
          PipelineRun run = l.get().run();
          TaskRun tr = l.get().taskRun();
          Optional<Attempt> a = l.get().attempt();
          if (a.get().deadlineAt() == null) {
            return null;
          }
          if (!Deadlines.due(a.get().deadlineAt(), Instant.now())) {
            Instant due = a.get().deadlineAt();
            tx.afterCommit(
                () ->
                    timers.at(
                        due, "deadline " + taskRunId, () -> attemptDeadline(taskRunId, attempt)));
            return null;
          }
          PipelineDefinition def = release(tx, run.releaseId()).definition();
          String timeout = def.task(tr.taskKey()).timeout();
          String error = "timed out: no result within the task's timeout of " + timeout;
          cancelAttempt(tx, run, tr, a.get(), AttemptState.TIMED_OUT, error);
          // the attempt ended just above: only the task run's retry or failure is left to decide
          failTask(tx, run, def, tr, error);
          return null;
        });
  }

  /** A run's maxDuration passed: it fails, its unfinished tasks are cancelled. */
  public void runDeadline(UUID runId) {
    db.tx(
        tx -> {
          PipelineRun run = lockRun(tx, runId);
          if (run.state() != RunState.RUNNING || run.deadlineAt() == null) {
            return null;
          }
          if (!Deadlines.due(run.deadlineAt(), Instant.now())) {
            Instant due = run.deadlineAt();
            tx.afterCommit(() -> timers.at(due, "run deadline " + runId, () -> runDeadline(runId)));
            return null;
          }
          PipelineDefinition def = release(tx, run.releaseId()).definition();
          endRun(
              tx,
              run,
              def,
              RunState.FAILED,
              "run exceeded its maxDuration of " + def.maxDuration());
          return null;
        });
  }

  /** Re-queues an active attempt as a new attempt without using a retry (its worker is gone). */
  public void requeue(UUID taskRunId, int attempt, String reason) {
    db.tx(
        tx -> {
          Optional<Locked> l = lock(tx, taskRunId, attempt);
          if (l.isEmpty() || !Fencing.replaceable(l.get().view())) {
            return null;
          }
          PipelineRun run = l.get().run();
          TaskRun tr = l.get().taskRun();
          finishAttempt(tx, tr, l.get().attempt().get(), AttemptState.LOST, null, reason);
          dispatchOrMoveOn(tx, run, release(tx, run.releaseId()).definition(), tr);
          return null;
        });
  }

  /**
   * The dispatch of an attempt could never be sent (Kafka refused it for good, for example larger
   * than the broker accepts): the task fails with INPUTS_TOO_LARGE, without retries.
   */
  public void failUndeliverable(UUID taskRunId, int attempt, String reason) {
    db.tx(
        tx -> {
          Optional<Locked> l = lock(tx, taskRunId, attempt);
          if (l.isEmpty()
              || !Fencing.replaceable(l.get().view())
              || l.get().attempt().get().state() != AttemptState.DISPATCHED) {
            return null;
          }
          PipelineRun run = l.get().run();
          TaskRun tr = l.get().taskRun();
          String error = ErrorCodes.INPUTS_TOO_LARGE + ": " + reason;
          finishAttempt(tx, tr, l.get().attempt().get(), AttemptState.FAILED, null, error);
          tx.update(
              "update task_runs set state = 'FAILED', retry_at = null, error = ?,"
                  + " finished_at = now() where id = ?",
              error,
              tr.id());
          taskChanged(tx, tr, TaskRunState.FAILED, error);
          progress(tx, lockRun(tx, run.id()), release(tx, run.releaseId()).definition());
          return null;
        });
  }

  /**
   * Dispatches a still unclaimed attempt once more (its record was lost on the way); true when it
   * was.
   */
  public boolean redispatch(UUID taskRunId, int attempt) {
    return db.tx(
        tx -> {
          Optional<Locked> l = lock(tx, taskRunId, attempt);
          if (l.isEmpty()) {
            return false;
          }
          PipelineRun run = l.get().run();
          TaskRun tr = l.get().taskRun();
          int n =
              tx.update(
                  "update attempts set dispatched_at = now() where task_run_id = ? and attempt = ?"
                      + " and state = 'DISPATCHED'",
                  taskRunId,
                  attempt);
          if (n == 0 || tr.attempt() != attempt || run.state() != RunState.RUNNING) {
            return false;
          }
          publishDispatch(tx, run, release(tx, run.releaseId()).definition(), tr, attempt, null);
          return true;
        });
  }

  // --- cancel and rerun ------------------------------------------------------------------------

  public PipelineRun cancel(UUID runId, String actor) {
    return db.tx(
        tx -> {
          PipelineRun run = lockRun(tx, runId);
          String refusal = RunRules.cancelRefusal(run.state());
          if (refusal != null) {
            throw DataplaneException.conflict("run " + runId + " " + refusal);
          }
          endRun(
              tx,
              run,
              release(tx, run.releaseId()).definition(),
              RunState.CANCELLED,
              "cancelled by " + actor);
          return readRun(tx, runId);
        });
  }

  public Started rerun(UUID runId, String requestId, String actor) {
    return db.tx(
        tx -> {
          if (requestId != null) {
            Optional<PipelineRun> known = runByRequest(tx, requestId);
            if (known.isPresent()) {
              return new Started(known.get(), false);
            }
          }
          PipelineRun old = lockRun(tx, runId);
          String refusal = RunRules.rerunRefusal(old.state());
          if (refusal != null) {
            throw DataplaneException.conflict("run " + runId + " " + refusal);
          }
          PipelineDefinition def = release(tx, old.releaseId()).definition();
          lockPipeline(tx, old.environment(), old.pipeline());
          UUID id = UUID.randomUUID();
          tx.update(
              "insert into runs (id, environment, pipeline, release_id, request_id, params,"
                  + " trigger, requested_by, state, rerun_of)"
                  + " values (?, ?, ?, ?, ?, ?, 'RERUN', ?, 'QUEUED', ?)",
              id,
              old.environment(),
              old.pipeline(),
              old.releaseId(),
              requestId,
              Db.Jsonb.of(old.params()),
              actor,
              old.id());
          Map<String, TaskRun> before = taskRuns(tx, old.id());
          Set<String> reused = new HashSet<>();
          before.forEach(
              (k, t) -> {
                if (RunRules.reusedByRerun(t.state())) {
                  reused.add(k);
                }
              });
          List<PipelineDefinition.Task> pending = new ArrayList<>();
          for (PipelineDefinition.Task t : def.tasks()) {
            TaskRun prev = before.get(t.key());
            if (reused.contains(t.key())) {
              tx.update(
                  "insert into task_runs (id, run_id, task_key, worker_group, state, outputs,"
                      + " reused_from, finished_at) values (?, ?, ?, ?, 'SUCCEEDED', ?, ?, now())",
                  UUID.randomUUID(),
                  id,
                  t.key(),
                  t.workerGroup(),
                  prev.outputs() == null ? null : Db.Jsonb.of(prev.outputs()),
                  prev.reusedFrom() != null ? prev.reusedFrom() : prev.id());
            } else {
              pending.add(t);
            }
          }
          insertPending(tx, id, dag(old.releaseId(), def), pending, reused);
          return queued(tx, id, def);
        });
  }

  // --- reads -----------------------------------------------------------------------------------

  /** A task run's run, locked, with the task run and one of its attempts read under that lock. */
  private record Locked(PipelineRun run, TaskRun taskRun, int number, Optional<Attempt> attempt) {
    Fencing.View view() {
      return new Fencing.View(
          run.state(),
          taskRun.state(),
          taskRun.attempt(),
          number,
          attempt.map(Attempt::state).orElse(null),
          attempt.map(Attempt::workerId).orElse(null));
    }
  }

  /**
   * Locks the run of a task run (every change to a run is serialized on its row) and reads the task
   * run and its attempt {@code attempt} under the lock; empty when there is no such task run.
   */
  private static Optional<Locked> lock(Db.Tx tx, UUID taskRunId, int attempt) throws SQLException {
    // the run is found and locked in one statement (the task run's row is read under the lock)
    Optional<PipelineRun> locked =
        tx.one(
            "select "
                + Rows.RUN_COLS
                + " from runs where id = (select run_id from task_runs where id = ?) for update",
            Rows::run,
            taskRunId);
    if (locked.isEmpty()) {
      return Optional.empty();
    }
    PipelineRun run = locked.get();
    TaskRun tr = taskRun(tx, taskRunId).orElseThrow();
    return Optional.of(
        new Locked(
            run,
            tr,
            attempt,
            attempt == 0 ? Optional.empty() : RunEngine.attempt(tx, taskRunId, attempt)));
  }

  public PipelineRun get(UUID runId) {
    return db.tx(tx -> readRun(tx, runId));
  }

  PipelineRun readRun(Db.Tx tx, UUID runId) throws SQLException {
    PipelineRun run =
        tx.one("select " + Rows.RUN_COLS + " from runs where id = ?", Rows::run, runId)
            .orElseThrow(() -> DataplaneException.notFound("run " + runId));
    List<TaskRun> trs =
        tx.list(
            "select " + Rows.TASK_RUN_COLS + " from task_runs where run_id = ? order by task_key",
            Rows::taskRun,
            runId);
    Map<UUID, List<Attempt>> attempts = new LinkedHashMap<>();
    for (Attempt a :
        tx.list(
            "select "
                + Rows.ATTEMPT_COLS
                + " from attempts where run_id = ? order by task_run_id, attempt",
            Rows::attempt,
            runId)) {
      attempts.computeIfAbsent(a.taskRunId(), k -> new ArrayList<>()).add(a);
    }
    List<TaskRun> out = new ArrayList<>();
    for (TaskRun t : trs) {
      out.add(t.with(attempts.getOrDefault(t.id(), List.of()), t.waitingReason()));
    }
    return run.with(out, run.waitingReason());
  }

  private static PipelineRun lockRun(Db.Tx tx, UUID runId) throws SQLException {
    return tx.one(
            "select " + Rows.RUN_COLS + " from runs where id = ? for update", Rows::run, runId)
        .orElseThrow(() -> DataplaneException.notFound("run " + runId));
  }

  private static Optional<PipelineRun> runByRequest(Db.Tx tx, String requestId)
      throws SQLException {
    return tx.one(
        "select " + Rows.RUN_COLS + " from runs where request_id = ?", Rows::run, requestId);
  }

  private static Optional<TaskRun> taskRun(Db.Tx tx, UUID id) throws SQLException {
    return tx.one(
        "select " + Rows.TASK_RUN_COLS + " from task_runs where id = ?", Rows::taskRun, id);
  }

  /** The task runs of {@code keys} in a run, by task key. */
  private static Map<String, TaskRun> taskRuns(Db.Tx tx, UUID runId, Set<String> keys)
      throws SQLException {
    Map<String, TaskRun> m = new LinkedHashMap<>();
    for (TaskRun t :
        tx.list(
            "select "
                + Rows.TASK_RUN_COLS
                + " from task_runs where run_id = ? and task_key = any(?)",
            Rows::taskRun,
            runId,
            keys.toArray(String[]::new))) {
      m.put(t.taskKey(), t);
    }
    return m;
  }

  private static Map<String, TaskRun> taskRuns(Db.Tx tx, UUID runId) throws SQLException {
    Map<String, TaskRun> m = new LinkedHashMap<>();
    for (TaskRun t :
        tx.list(
            "select " + Rows.TASK_RUN_COLS + " from task_runs where run_id = ?",
            Rows::taskRun,
            runId)) {
      m.put(t.taskKey(), t);
    }
    return m;
  }

  static Optional<Attempt> attempt(Db.Tx tx, UUID taskRunId, int attempt) throws SQLException {
    return tx.one(
        "select " + Rows.ATTEMPT_COLS + " from attempts where task_run_id = ? and attempt = ?",
        Rows::attempt,
        taskRunId,
        attempt);
  }

  /** The DAG of a release (releases never change, so it is built once). */
  private Dag dag(UUID releaseId, PipelineDefinition def) {
    return dags.computeIfAbsent(releaseId, x -> Dag.of(def));
  }

  private Release release(Db.Tx tx, UUID id) throws SQLException {
    Release r = releases.get(id);
    if (r == null) {
      r = pipelines.release(tx, id);
      releases.put(id, r);
    }
    return r;
  }

  // --- events ----------------------------------------------------------------------------------

  private void runChanged(Db.Tx tx, PipelineRun run, RunState state, RunState previous)
      throws SQLException {
    events.append(
        tx,
        Topics.RUN_EVENTS,
        run.id().toString(),
        new RunStateChanged(run.id(), run.environment(), run.pipeline(), state, previous));
    tx.afterCommit(() -> metrics.run(state));
  }

  private void taskChanged(Db.Tx tx, TaskRun tr, TaskRunState state, String error)
      throws SQLException {
    taskChanged(tx, tr, state, tr.attempt(), error);
  }

  private void taskChanged(Db.Tx tx, TaskRun tr, TaskRunState state, int attempt, String error)
      throws SQLException {
    events.append(
        tx,
        Topics.RUN_EVENTS,
        tr.runId().toString(),
        new TaskRunStateChanged(
            tr.runId(), tr.id(), tr.taskKey(), attempt, state, tr.state(), error));
  }
}
