package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.ORCHESTRATOR;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.LogPage;
import io.dataplane.gateway.client.Dtos.Run;
import io.dataplane.gateway.client.Dtos.RunPage;
import io.dataplane.gateway.client.Dtos.TaskRun;
import io.dataplane.gateway.client.OrchestratorClient;
import io.dataplane.gateway.client.RequestIds;
import io.dataplane.gateway.client.Requests;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.live.TaskRunIndex;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Runs: start, cancel, rerun, list, one run with its task runs, and logs. */
@GraphQLApi
@Blocking
@ApplicationScoped
public class RunGraphQLApi {

  static final Set<String> RUN_STATES =
      Set.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");

  private final Guard guard;
  private final OrchestratorClient orchestrator;
  private final TaskRunIndex index;

  public RunGraphQLApi(
      Guard guard, @RestClient OrchestratorClient orchestrator, TaskRunIndex index) {
    this.guard = guard;
    this.orchestrator = orchestrator;
    this.index = index;
  }

  @Query("runs")
  @Description("Runs, newest first, with cursor paging; admins may omit the environment")
  public RunPage runs(
      String environment,
      String pipeline,
      String state,
      String cursor,
      @DefaultValue("50") int limit) {
    Inputs check =
        Inputs.check()
            .optionalName("environment", environment)
            .optionalName("pipeline", pipeline)
            .range("limit", limit, 1, 500)
            .maxLength("cursor", cursor, 500);
    check.that(
        state == null || RUN_STATES.contains(state),
        "state",
        "must be one of " + String.join(", ", RUN_STATES.stream().sorted().toList()));
    check.that(pipeline == null || environment != null, "environment", "is required with pipeline");
    check.orFail();
    Caller c = guard.caller();
    if (environment == null) {
      guard.access().requireAdmin(c, "runs");
    } else {
      guard.access().require(c, Permission.READ, environment, pipeline, null, "runs");
    }
    RunPage page =
        Backends.call(
            ORCHESTRATOR, () -> orchestrator.runs(environment, pipeline, state, cursor, limit));
    if (environment == null || pipeline != null) {
      return page;
    }
    // defence in depth: drop anything the service returned from elsewhere
    List<Run> visible =
        page.items() == null
            ? List.of()
            : page.items().stream()
                .filter(r -> environment.equals(r.environment()))
                .filter(
                    r ->
                        guard
                            .access()
                            .allowed(c, Permission.READ, r.environment(), r.pipeline(), null))
                .toList();
    return new RunPage(visible, page.nextCursor());
  }

  @Query("run")
  @Description("One run with its task runs, attempts and outputs")
  public Run run(@NonNull String id) {
    Inputs.check().required("id", id).maxLength("id", id, 100).orFail();
    Caller c = guard.caller();
    return visibleRun(c, id, "run");
  }

  Run visibleRun(Caller c, String id, String action) {
    Run run;
    try {
      run = Backends.call(ORCHESTRATOR, () -> orchestrator.run(id));
    } catch (ApiError.NotFound e) {
      throw new ApiError.NotFound("run " + id + " not found");
    }
    guard.access().requireVisible(c, run.environment(), run.pipeline(), "run " + id, action);
    if (run.taskRuns() != null) {
      for (TaskRun t : run.taskRuns()) {
        index.put(t.id(), run.id());
      }
    }
    return run;
  }

  @Mutation("startRun")
  @Description(
      "Starts a run of a pipeline's latest release (or of releaseId) with params; the same"
          + " requestId twice gives the same run")
  public Run startRun(
      @NonNull String environment,
      @NonNull String pipeline,
      @Description("JSON object of run parameters") Object params,
      String requestId,
      String releaseId) {
    Inputs.check()
        .name("environment", environment)
        .name("pipeline", pipeline)
        .jsonObject("params", params)
        .maxLength("requestId", requestId, 200)
        .maxLength("releaseId", releaseId, 200)
        .orFail();
    Caller c = guard.require(Permission.EXECUTE, environment, pipeline, "startRun");
    @SuppressWarnings("unchecked")
    Map<String, Object> p = params == null ? Map.of() : (Map<String, Object>) params;
    // always a requestId, so that retrying the call can never start a second run
    String rid =
        requestId == null
            ? RequestIds.fresh("gql")
            : RequestIds.scoped("gql", c.actor(), requestId);
    return guard.mutation(
        c,
        "startRun",
        "pipeline " + pipeline,
        environment,
        "params " + p.keySet() + (requestId == null ? "" : ", requestId " + requestId),
        ORCHESTRATOR,
        () ->
            orchestrator.startRun(
                environment, pipeline, new Requests.NewRun(p, rid, releaseId, "MANUAL")));
  }

  @Mutation("cancelRun")
  public Run cancelRun(@NonNull String id) {
    return changeRun(id, "cancelRun", () -> orchestrator.cancelRun(id));
  }

  @Mutation("rerunRun")
  @Description("Runs again from the failed task runs (succeeded ones keep their outputs)")
  public Run rerunRun(@NonNull String id) {
    return changeRun(
        id,
        "rerunRun",
        () -> orchestrator.rerunRun(id, new Requests.Rerun(RequestIds.fresh("gql"))));
  }

  /** Changes a run the caller may see, with execute on its pipeline; audited. */
  private Run changeRun(String id, String action, Supplier<Run> change) {
    Inputs.check().required("id", id).maxLength("id", id, 100).orFail();
    Caller c = guard.caller();
    Run run = visibleRun(c, id, action);
    guard.access().require(c, Permission.EXECUTE, run.environment(), run.pipeline(), null, action);
    return guard.mutation(
        c, action, "run " + id, run.environment(), "was " + run.state(), ORCHESTRATOR, change);
  }

  @Query("logs")
  @Description("A page of a task run's stored log lines (afterSeq: the last seq already seen)")
  public LogPage logs(
      @NonNull String taskRunId,
      @Description("the run the task run belongs to (needed when the gateway does not know it)")
          String runId,
      Integer attempt,
      Long afterSeq,
      @DefaultValue("500") int limit) {
    Inputs.check()
        .required("taskRunId", taskRunId)
        .maxLength("taskRunId", taskRunId, 100)
        .range("attempt", attempt, 1, 1000)
        .range("limit", limit, 1, 5000)
        .that(afterSeq == null || afterSeq >= 0, "afterSeq", "must not be negative")
        .orFail();
    Caller c = guard.caller();
    authorizeTaskRun(c, taskRunId, runId, "logs");
    return Backends.call(
        ORCHESTRATOR, () -> orchestrator.logs(taskRunId, attempt, afterSeq, limit));
  }

  /** Checks read access to the run a task run belongs to; returns that run. */
  public Run authorizeTaskRun(Caller c, String taskRunId, String runId, String action) {
    String rid = runId != null ? runId : index.runOf(taskRunId);
    if (rid == null) {
      throw ApiError.invalid("runId", "is required: the gateway does not know this task run yet");
    }
    Run run;
    try {
      run = visibleRun(c, rid, action);
    } catch (ApiError.NotFound e) {
      if (runId != null) {
        throw e;
      }
      // the caller named the task run only: the run it belongs to is not theirs to learn
      throw new ApiError.NotFound("task run " + taskRunId + " not found");
    }
    boolean belongs =
        run.taskRuns() != null && run.taskRuns().stream().anyMatch(t -> taskRunId.equals(t.id()));
    if (!belongs) {
      throw new ApiError.NotFound("task run " + taskRunId + " not found");
    }
    return run;
  }
}
