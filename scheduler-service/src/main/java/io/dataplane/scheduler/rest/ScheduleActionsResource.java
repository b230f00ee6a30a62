package io.dataplane.scheduler.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.repository.FireRepository;
import io.dataplane.scheduler.service.BackfillService;
import io.dataplane.scheduler.service.FireEngine;
import io.dataplane.scheduler.service.ScheduleService;
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
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Actions on one schedule: pause, resume, preview, backfill, fire history; and backfills. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "schedules")
public class ScheduleActionsResource {

  /** Body of a backfill request. */
  public record BackfillRequest(String from, String to, Boolean dryRun, Integer maxConcurrent) {}

  /** A page of the fire ledger, newest first; pass nextBefore as {@code before} for the next. */
  public record FirePage(List<FireRepository.FireRow> items, Instant nextBefore) {}

  /** Which instance leads. */
  public record LeaderStatus(String instanceId, boolean leader) {}

  private final ScheduleService schedules;
  private final BackfillService backfills;
  private final FireRepository fires;
  private final FireEngine engine;
  private final SchedulerConfig config;

  public ScheduleActionsResource(
      ScheduleService schedules,
      BackfillService backfills,
      FireRepository fires,
      FireEngine engine,
      SchedulerConfig config) {
    this.schedules = schedules;
    this.backfills = backfills;
    this.fires = fires;
    this.engine = engine;
    this.config = config;
  }

  @GET
  @Path("/schedules/{id}")
  @Operation(summary = "Read a schedule by id")
  public ScheduleView get(@PathParam("id") String id) throws SQLException {
    return ScheduleView.of(schedules.get(Rest.id("schedule", id)));
  }

  @POST
  @Path("/schedules/{id}/pause")
  @Operation(summary = "Pause a schedule (idempotent)")
  public ScheduleView pause(
      @PathParam("id") String id, @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return ScheduleView.of(schedules.pause(Rest.id("schedule", id), ServiceAuth.actor(actor)));
  }

  @POST
  @Path("/schedules/{id}/resume")
  @Operation(summary = "Resume a schedule; fire times passed while paused are not fired")
  public ScheduleView resume(
      @PathParam("id") String id, @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return ScheduleView.of(schedules.resume(Rest.id("schedule", id), ServiceAuth.actor(actor)));
  }

  @GET
  @Path("/schedules/{id}/preview")
  @Operation(summary = "The next N fire times (default 10) after now or after 'after'")
  public Preview preview(
      @PathParam("id") String id,
      @QueryParam("count") Integer count,
      @QueryParam("after") String after)
      throws SQLException {
    Schedule s = schedules.get(Rest.id("schedule", id));
    Instant from = Preview.after(after, Instant.now());
    if (after == null && s.firedThrough().isAfter(from)) {
      from = s.firedThrough();
    }
    return Preview.of(s.id(), s.spec(), from, Preview.count(count, config.previewMax()));
  }

  @GET
  @Path("/schedules/{id}/fires")
  @Operation(summary = "The fire ledger of a schedule, newest first, with the lag of each fire")
  public FirePage fires(
      @PathParam("id") String id,
      @QueryParam("before") String before,
      @QueryParam("limit") Integer limit)
      throws SQLException {
    UUID sid = Rest.id("schedule", id);
    Instant b = null;
    if (before != null && !before.isBlank()) {
      try {
        b = Instant.parse(before);
      } catch (DateTimeParseException e) {
        throw DataplaneException.invalid("before", "before must be an ISO-8601 instant");
      }
    }
    int n = limit == null ? 50 : limit;
    if (n < 1 || n > 500) {
      throw DataplaneException.invalid("limit", "limit must be between 1 and 500");
    }
    List<FireRepository.FireRow> rows = fires.page(sid, b, n);
    if (rows.isEmpty()) {
      schedules.get(sid); // 404 for an unknown schedule; a deleted one keeps its history
    }
    Instant next = rows.size() == n ? rows.get(rows.size() - 1).fireTime() : null;
    return new FirePage(rows, next);
  }

  @POST
  @Path("/schedules/{id}/backfill")
  @Operation(
      summary =
          "Backfill a past window: dryRun lists the fire times (200); otherwise starts a"
              + " backfill (202) requesting at most maxConcurrent runs at a time")
  public Response backfill(
      @PathParam("id") String id,
      BackfillRequest body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    if (body == null) {
      throw DataplaneException.invalid("", "a JSON body is required");
    }
    Schedule s = schedules.get(Rest.id("schedule", id));
    Instant from = Rest.instant("from", body.from());
    Instant to = Rest.instant("to", body.to());
    if (Boolean.TRUE.equals(body.dryRun())) {
      return Response.ok(backfills.dryRun(s, from, to)).build();
    }
    if (s.state() == Schedule.State.STOPPED) {
      throw DataplaneException.conflict(
          "schedule " + s.id() + " is stopped (" + s.stateReason() + "); resume it to backfill");
    }
    int max = body.maxConcurrent() == null ? 1 : body.maxConcurrent();
    return Response.accepted(backfills.create(s, from, to, max, ServiceAuth.actor(actor))).build();
  }

  @GET
  @Path("/schedules/{id}/backfills")
  @Operation(summary = "The backfills of a schedule, newest first")
  public List<BackfillService.Backfill> backfills(@PathParam("id") String id) throws SQLException {
    UUID sid = Rest.id("schedule", id);
    return backfills.list(sid);
  }

  @GET
  @Path("/backfills/{id}")
  @Operation(summary = "Read a backfill")
  public BackfillService.Backfill backfill(@PathParam("id") String id) throws SQLException {
    return backfills
        .find(Rest.id("backfill", id))
        .orElseThrow(() -> DataplaneException.notFound("backfill " + id));
  }

  @POST
  @Path("/backfills/{id}/cancel")
  @Operation(summary = "Cancel a running backfill (runs already requested go on)")
  public BackfillService.Backfill cancel(@PathParam("id") String id) throws SQLException {
    return backfills.cancel(Rest.id("backfill", id));
  }

  @GET
  @Path("/scheduler/leader")
  @Operation(summary = "Whether this instance is the scheduler leader")
  public LeaderStatus leader() {
    return new LeaderStatus(config.instanceId(), engine.isLeader());
  }
}
