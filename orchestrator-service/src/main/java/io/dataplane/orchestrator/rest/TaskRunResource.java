package io.dataplane.orchestrator.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.orchestrator.Worker;
import io.dataplane.orchestrator.service.LogService;
import io.dataplane.orchestrator.service.RunEngine;
import io.dataplane.orchestrator.service.WorkerService;
import io.smallrye.mutiny.Multi;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

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

  private static final ScheduledExecutorService STREAMS =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "log-streams");
            t.setDaemon(true);
            return t;
          });

  @GET
  @Path("task-runs/{id}/logs/stream")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "A task run's log lines as a live stream (server-sent events)",
      description =
          "Lines after afterSeq of the attempt (default: the current one), as they are stored;"
              + " the stream ends once the attempt's last line was sent")
  public Multi<LogService.Line> stream(
      @PathParam("id") String id,
      @QueryParam("attempt") Integer attempt,
      @QueryParam("afterSeq") @DefaultValue("0") long afterSeq) {
    UUID taskRunId = ReleaseResource.id(id, "task run");
    int att = logs.page(taskRunId, attempt, afterSeq, 1).attempt(); // 404 for an unknown one
    return Multi.createFrom()
        .emitter(
            em -> {
              AtomicLong last = new AtomicLong(afterSeq);
              AtomicInteger quietAfterEnd = new AtomicInteger();
              ScheduledFuture<?> f =
                  STREAMS.scheduleWithFixedDelay(
                      () -> {
                        try {
                          LogService.Page p = logs.page(taskRunId, att, last.get(), 1000);
                          p.lines().forEach(em::emit);
                          last.set(p.nextSeq());
                          boolean over = p.lines().isEmpty() && logs.attemptOver(taskRunId, att);
                          // an attempt that ended without a last chunk (lost worker) ends too
                          if (p.complete() || (over && quietAfterEnd.incrementAndGet() > 20)) {
                            em.complete();
                          }
                        } catch (RuntimeException e) {
                          em.fail(e);
                        }
                      },
                      0,
                      250,
                      TimeUnit.MILLISECONDS);
              em.onTermination(() -> f.cancel(false));
            });
  }

  @GET
  @Path("workers")
  @Operation(
      summary =
          "Workers with state, groups (environment/group), cpu, memory, load, slots, running,"
              + " lastSeen; of one environment (and group) when given")
  public List<Worker> workers(
      @QueryParam("environment") String environment, @QueryParam("group") String group) {
    return workers.list(environment, group);
  }

  /**
   * Body of a claim; {@code claimId} (optional, chosen by the worker) lets the worker ask again for
   * a claim whose answer it did not get.
   */
  public record ClaimInput(
      @NotNull UUID taskRunId, @Min(1) int attempt, @NotBlank String workerId, UUID claimId) {}

  @ServiceAuth.Scope(ServiceCredentials.ATTEMPTS_CLAIM)
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
    return engine.claim(in.taskRunId(), in.attempt(), in.workerId(), in.claimId());
  }

  /** Whether an attempt is current (claimed or running, not superseded). */
  public record AttemptStatus(UUID taskRunId, int attempt, boolean current) {}

  @GET
  @Path("attempts/{taskRunId}/{attempt}/current")
  @ServiceAuth.Scope(ServiceCredentials.ATTEMPTS_READ)
  @Operation(
      summary = "Whether an attempt is current: claimed or running and not superseded",
      description = "secrets-service resolves an attempt token's secrets only while this is true")
  public AttemptStatus current(
      @PathParam("taskRunId") UUID taskRunId, @PathParam("attempt") int attempt) {
    return new AttemptStatus(taskRunId, attempt, engine.isCurrent(taskRunId, attempt));
  }
}
