package io.dataplane.orchestrator.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.orchestrator.Worker;
import io.dataplane.orchestrator.service.LogService;
import io.dataplane.orchestrator.service.RunEngine;
import io.dataplane.orchestrator.service.WorkerService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What workers and log readers call: task logs, the worker registry, attempt claims. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "execution")
public class TaskRunResource {

  private final LogService logs;
  private final WorkerService workers;
  private final RunEngine engine;

  public TaskRunResource(LogService logs, WorkerService workers, RunEngine engine) {
    this.logs = logs;
    this.workers = workers;
    this.engine = engine;
  }

  @GET
  @Path("task-runs/{id}/logs")
  @Operation(
      summary = "A page of a task run's log lines, in order",
      description =
          "attempt defaults to the current one; pass nextSeq back as afterSeq; complete is true"
              + " once the attempt's last line was read")
  public LogService.Page logs(
      @PathParam("id") String id,
      @QueryParam("attempt") Integer attempt,
      @QueryParam("afterSeq") @DefaultValue("0") long afterSeq,
      @QueryParam("limit") @DefaultValue("1000") int limit) {
    return logs.page(ReleaseResource.id(id, "task run"), attempt, afterSeq, limit);
  }

  @GET
  @Path("workers")
  @Operation(summary = "Workers with state, groups, cpu, memory, load, slots, running, lastSeen")
  public List<Worker> workers(@QueryParam("group") String group) {
    return workers.list(group);
  }

  /** Body of a claim. */
  public record ClaimInput(
      @NotNull UUID taskRunId, @Min(1) int attempt, @NotBlank String workerId) {}

  @POST
  @Path("attempts/claim")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Claim an attempt before starting it (a conditional update)",
      description = "200 {claimed:true,...}; 409 CONFLICT when claimed already or not current")
  public RunEngine.Claim claim(@Valid @NotNull ClaimInput in) {
    if (in == null) {
      throw DataplaneException.invalid("taskRunId", "a claim needs taskRunId, attempt, workerId");
    }
    return engine.claim(in.taskRunId(), in.attempt(), in.workerId());
  }
}
