package io.dataplane.scheduler.rest;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.schedule.ScheduleSpec;
import io.dataplane.scheduler.service.ScheduleService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Schedules of an environment: create, list, read, replace, delete, and preview a draft. */
@Path("/api/v1/environments/{env}/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "schedules")
public class ScheduleResource {

  /** A list of schedules. */
  public record ScheduleList(List<ScheduleView> items) {}

  private final ScheduleService service;
  private final int previewMax;

  public ScheduleResource(
      ScheduleService service, io.dataplane.scheduler.config.SchedulerConfig config) {
    this.service = service;
    this.previewMax = config.previewMax();
  }

  @POST
  @Operation(summary = "Create a schedule (201); 400 names the invalid field, 409 on a name clash")
  public Response create(
      @PathParam("env") String env,
      ScheduleRequest body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    Schedule s = service.create(env, body, ServiceAuth.actor(actor));
    return Rest.created("/api/v1/environments/" + env + "/schedules/" + s.id(), ScheduleView.of(s));
  }

  @GET
  @Operation(summary = "List the schedules of an environment, optionally of one pipeline")
  public ScheduleList list(@PathParam("env") String env, @QueryParam("pipeline") String pipeline)
      throws SQLException {
    return new ScheduleList(service.list(env, pipeline).stream().map(ScheduleView::of).toList());
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "Read a schedule")
  public ScheduleView get(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    return ScheduleView.of(service.get(env, Rest.id("schedule", id)));
  }

  @PUT
  @Path("/{id}")
  @Operation(summary = "Replace a schedule's definition")
  public ScheduleView replace(
      @PathParam("env") String env,
      @PathParam("id") String id,
      ScheduleRequest body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return ScheduleView.of(
        service.replace(env, Rest.id("schedule", id), body, ServiceAuth.actor(actor)));
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Delete a schedule (its fire ledger is kept)")
  public Response delete(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    service.delete(env, Rest.id("schedule", id));
    return Response.noContent().build();
  }

  @POST
  @Path("/preview")
  @Operation(summary = "Preview the next fire times of an unsaved definition")
  public Preview previewDraft(
      @PathParam("env") String env,
      ScheduleRequest body,
      @QueryParam("count") Integer count,
      @QueryParam("after") String after) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    ScheduleSpec spec = service.specOf(body, now);
    return Preview.of(null, spec, Preview.after(after, now), Preview.count(count, previewMax));
  }
}
