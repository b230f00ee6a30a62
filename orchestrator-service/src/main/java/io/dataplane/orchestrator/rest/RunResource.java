package io.dataplane.orchestrator.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.RunState;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.orchestrator.PipelineRun;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.repository.Rows;
import io.dataplane.orchestrator.service.RunEngine;
import io.dataplane.orchestrator.service.WaitingReasons;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Runs: list with filters and cursor paging, get, cancel, rerun. */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs")
public class RunResource {

  private final RunEngine engine;
  private final Db db;
  private final WaitingReasons waiting;

  public RunResource(RunEngine engine, Db db, WaitingReasons waiting) {
    this.engine = engine;
    this.db = db;
    this.waiting = waiting;
  }

  /** A page of runs; pass {@code nextCursor} back as {@code cursor} for the next one. */
  public record Page(List<PipelineRun> items, String nextCursor) {}

  @GET
  @Operation(
      summary = "List runs, newest first, with filters and cursor paging",
      description = "Each unfinished run says why it waits (waitingReason)")
  public Page list(
      @QueryParam("environment") String environment,
      @QueryParam("pipeline") String pipeline,
      @QueryParam("state") String state,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    int lim = limit == null ? 50 : limit;
    if (lim < 1 || lim > 500) {
      throw DataplaneException.invalid("limit", "limit must be between 1 and 500");
    }
    if (state != null) {
      try {
        RunState.valueOf(state);
      } catch (IllegalArgumentException e) {
        throw DataplaneException.invalid("state", "unknown run state " + state);
      }
    }
    long before = Long.MAX_VALUE;
    if (cursor != null && !cursor.isBlank()) {
      try {
        before =
            Long.parseLong(
                new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw DataplaneException.invalid("cursor", "not a cursor of this API");
      }
    }
    StringBuilder sql =
        new StringBuilder("select seq, " + Rows.RUN_COLS + " from runs where seq < ?");
    List<Object> args = new ArrayList<>();
    args.add(before);
    if (environment != null) {
      sql.append(" and environment = ?");
      args.add(environment);
    }
    if (pipeline != null) {
      sql.append(" and pipeline = ?");
      args.add(pipeline);
    }
    if (state != null) {
      sql.append(" and state = ?");
      args.add(state);
    }
    sql.append(" order by seq desc limit ?");
    args.add(lim + 1);
    record Row(long seq, PipelineRun run) {}
    List<Row> rows =
        db.tx(
            tx ->
                tx.list(
                    sql.toString(),
                    rs -> new Row(rs.getLong("seq"), Rows.run(rs)),
                    args.toArray()));
    String next = null;
    if (rows.size() > lim) {
      rows = rows.subList(0, lim);
      next =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  Long.toString(rows.get(rows.size() - 1).seq())
                      .getBytes(StandardCharsets.US_ASCII));
    }
    List<PipelineRun> page = rows.stream().map(Row::run).toList();
    return new Page(db.tx(tx -> waiting.explain(tx, page)), next);
  }

  @GET
  @Path("{id}")
  @Operation(
      summary = "A run with its task runs, their attempts and outputs",
      description = "An unfinished run and its task runs say why they wait (waitingReason)")
  // scheduler-service reads an upstream run's outputs for completion triggers
  @ServiceAuth.Scope(ServiceCredentials.RUNS_READ)
  public PipelineRun get(@PathParam("id") String id) {
    PipelineRun run = engine.get(ReleaseResource.id(id, "run"));
    return db.tx(tx -> waiting.explain(tx, List.of(run)).get(0));
  }

  @POST
  @Path("{id}/cancel")
  @Operation(summary = "Cancel a run; its running attempts get CancelAttempt (409 if it ended)")
  public PipelineRun cancel(
      @PathParam("id") String id, @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    return engine.cancel(ReleaseResource.id(id, "run"), ServiceAuth.actor(actor));
  }

  /** Optional body of a rerun. */
  public record RerunInput(String requestId) {}

  @POST
  @Path("{id}/rerun")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(
      summary = "Rerun a failed or cancelled run from its unsuccessful tasks",
      description = "A new run of the same release and params; successful tasks are reused")
  public Response rerun(
      @PathParam("id") String id,
      RerunInput in,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    RunEngine.Started s =
        engine.rerun(
            ReleaseResource.id(id, "run"),
            in == null ? null : in.requestId(),
            ServiceAuth.actor(actor));
    return Response.status(s.created() ? 201 : 200).entity(s.run()).build();
  }
}
