package io.dataplane.orchestrator.rest;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.orchestrator.Environment;
import io.dataplane.orchestrator.WorkerGroup;
import io.dataplane.orchestrator.service.EnvironmentDeletion;
import io.dataplane.orchestrator.service.LogRetention;
import io.dataplane.orchestrator.service.PipelineService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Environments and their worker groups. */
@Path("/api/v1/environments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "environments")
public class EnvironmentResource {

  private final PipelineService service;
  private final LogRetention retention;
  private final EnvironmentDeletion deletion;

  public EnvironmentResource(
      PipelineService service, LogRetention retention, EnvironmentDeletion deletion) {
    this.service = service;
    this.retention = retention;
    this.deletion = deletion;
  }

  /** Body of a new environment or worker group. */
  public record NamedInput(
      @NotBlank @Size(max = 63) String name, @Size(max = 2000) String description) {}

  @POST
  @Operation(summary = "Create an environment (it gets a 'default' worker group)")
  public Response create(
      @Valid NamedInput in, @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    Environment e =
        service.createEnvironment(in.name(), in.description(), ServiceAuth.actor(actor));
    return Response.status(201).entity(e).build();
  }

  @GET
  @Operation(summary = "List environments")
  public List<Environment> list() {
    return service.listEnvironments();
  }

  @ServiceAuth.Scope(ServiceCredentials.ENVIRONMENTS_READ)
  @GET
  @Path("{env}")
  @Operation(summary = "Get an environment (404 if unknown)")
  public Environment get(@PathParam("env") String env) {
    return service.getEnvironment(env);
  }

  /** An environment's task log retention; a null field restores the platform default. */
  public record LogRetentionInput(Integer retentionDays, Long maxBytesPerRun) {}

  @ServiceAuth.Scope(ServiceCredentials.ENVIRONMENTS_READ)
  @GET
  @Path("{env}/log-retention")
  @Operation(summary = "An environment's task log retention (set and effective values)")
  public LogRetention.Settings logRetention(@PathParam("env") String env) {
    return retention.get(env);
  }

  @PUT
  @Path("{env}/log-retention")
  @Operation(
      summary =
          "Set an environment's task log retention: days a finished run's logs are kept and"
              + " the most bytes of logs one run stores (0: no limit, null: the platform default)")
  public LogRetention.Settings setLogRetention(@PathParam("env") String env, LogRetentionInput in) {
    if (in == null) {
      throw io.dataplane.common.error.DataplaneException.invalid("body", "a body is required");
    }
    return retention.set(env, in.retentionDays(), in.maxBytesPerRun());
  }

  @POST
  @Path("{env}/worker-groups")
  @Operation(
      summary = "Create a worker group; its tasks go to dataplane.task-dispatch.<env>.<name>")
  public Response createGroup(
      @PathParam("env") String env,
      @Valid NamedInput in,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    WorkerGroup g =
        service.createWorkerGroup(env, in.name(), in.description(), ServiceAuth.actor(actor));
    return Response.status(201).entity(g).build();
  }

  /** Body of a description change. */
  public record DescriptionInput(@Size(max = 2000) String description) {}

  @PUT
  @Path("{env}")
  @Operation(summary = "Change an environment's description")
  public Environment update(@PathParam("env") String env, @Valid DescriptionInput in) {
    return service.updateEnvironment(env, in == null ? null : in.description());
  }

  @DELETE
  @Path("{env}")
  @Operation(
      summary = "Delete an environment",
      description =
          "409 naming them (the first few and the count) while it has unfinished runs, pipelines"
              + " or worker groups besides 'default'; run and release history is kept and the"
              + " name can be used again")
  public Response delete(@PathParam("env") String env) {
    deletion.delete(env);
    return Response.noContent().build();
  }

  @PUT
  @Path("{env}/worker-groups/{group}")
  @Operation(summary = "Change a worker group's description")
  public WorkerGroup updateGroup(
      @PathParam("env") String env, @PathParam("group") String group, @Valid DescriptionInput in) {
    return service.updateWorkerGroup(env, group, in == null ? null : in.description());
  }

  @DELETE
  @Path("{env}/worker-groups/{group}")
  @Operation(
      summary = "Delete a worker group",
      description =
          "409 naming them while unfinished runs have tasks in it or pipelines (draft or current"
              + " release) name it; 'default' cannot be deleted")
  public Response deleteGroup(@PathParam("env") String env, @PathParam("group") String group) {
    service.deleteWorkerGroup(env, group);
    return Response.noContent().build();
  }

  @GET
  @Path("{env}/worker-groups")
  @Operation(summary = "List the worker groups of an environment")
  public List<WorkerGroup> groups(@PathParam("env") String env) {
    return service.listWorkerGroups(env);
  }
}
