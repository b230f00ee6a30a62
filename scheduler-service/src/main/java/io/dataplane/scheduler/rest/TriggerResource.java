package io.dataplane.scheduler.rest;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.dataplane.scheduler.service.TriggerService;
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
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Event triggers of an environment: create, list, read, replace, delete, pause, resume, fires. */
@Path("/api/v1/environments/{env}/triggers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "triggers")
public class TriggerResource {

  /** A list of triggers. */
  public record TriggerList(List<TriggerView> items) {}

  /** The fire ledger of a trigger, newest first. */
  public record FireList(List<TriggerRepository.FireRow> items) {}

  private final TriggerService service;
  private final TriggerRepository repository;

  public TriggerResource(TriggerService service, TriggerRepository repository) {
    this.service = service;
    this.repository = repository;
  }

  @POST
  @Operation(summary = "Create a trigger (201); a TOKEN webhook's token is in this answer only")
  public Response create(
      @PathParam("env") String env,
      TriggerRequest body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    TriggerService.Saved s = service.create(env, body, ServiceAuth.actor(actor));
    return Rest.created(
        "/api/v1/environments/" + env + "/triggers/" + s.trigger().id(),
        TriggerView.of(s.trigger(), s.token()));
  }

  @GET
  @Operation(summary = "List the triggers of an environment, optionally of one pipeline")
  public TriggerList list(@PathParam("env") String env, @QueryParam("pipeline") String pipeline)
      throws SQLException {
    return new TriggerList(service.list(env, pipeline).stream().map(TriggerView::of).toList());
  }

  @GET
  @Path("/{id}")
  public TriggerView get(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    return TriggerView.of(service.get(env, Rest.id("trigger", id)));
  }

  @PUT
  @Path("/{id}")
  @Operation(summary = "Replace a trigger's definition (rotateToken: a new webhook token)")
  public TriggerView replace(
      @PathParam("env") String env,
      @PathParam("id") String id,
      TriggerRequest body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    TriggerService.Saved s =
        service.replace(env, Rest.id("trigger", id), body, ServiceAuth.actor(actor));
    return TriggerView.of(s.trigger(), s.token());
  }

  @DELETE
  @Path("/{id}")
  @Operation(summary = "Delete a trigger (its fire ledger is kept)")
  public Response delete(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    service.delete(env, Rest.id("trigger", id));
    return Response.noContent().build();
  }

  @POST
  @Path("/{id}/pause")
  public TriggerView pause(
      @PathParam("env") String env,
      @PathParam("id") String id,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return TriggerView.of(
        service.setPaused(env, Rest.id("trigger", id), true, ServiceAuth.actor(actor)));
  }

  @POST
  @Path("/{id}/resume")
  public TriggerView resume(
      @PathParam("env") String env,
      @PathParam("id") String id,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return TriggerView.of(
        service.setPaused(env, Rest.id("trigger", id), false, ServiceAuth.actor(actor)));
  }

  @GET
  @Path("/{id}/fires")
  @Operation(summary = "The fire ledger of a trigger, newest first")
  public FireList fires(
      @PathParam("env") String env, @PathParam("id") String id, @QueryParam("limit") Integer limit)
      throws SQLException {
    UUID tid = service.get(env, Rest.id("trigger", id)).id();
    return new FireList(repository.fires(tid, Rest.limit(limit)));
  }
}
