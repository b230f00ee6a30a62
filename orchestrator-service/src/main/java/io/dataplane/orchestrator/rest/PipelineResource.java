package io.dataplane.orchestrator.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.orchestrator.Deployment;
import io.dataplane.orchestrator.Pipeline;
import io.dataplane.orchestrator.PipelineRun;
import io.dataplane.orchestrator.Release;
import io.dataplane.orchestrator.dag.DefinitionReader;
import io.dataplane.orchestrator.dag.ValidationError;
import io.dataplane.orchestrator.service.PipelineService;
import io.dataplane.orchestrator.service.RunEngine;
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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Pipeline drafts, their releases and runs, under an environment. */
@Path("/api/v1/environments/{env}/pipelines")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "pipelines")
public class PipelineResource {

  private final PipelineService pipelines;
  private final RunEngine engine;

  public PipelineResource(PipelineService pipelines, RunEngine engine) {
    this.pipelines = pipelines;
    this.engine = engine;
  }

  /** Whether a body is YAML (the default) or JSON, from its content type. */
  static boolean yaml(String contentType) {
    return contentType == null || !contentType.toLowerCase().contains("json");
  }

  @GET
  @Operation(summary = "List the pipelines of an environment")
  public List<Pipeline> list(@PathParam("env") String env) {
    return pipelines.listPipelines(env);
  }

  @PUT
  @Path("{name}")
  @Consumes({
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "application/json",
    "text/plain"
  })
  @Operation(
      summary = "Create or update a pipeline's draft (YAML or JSON)",
      description = "400 with one detail per problem (path, code, message) when invalid")
  public Response save(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      String body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    PipelineService.Saved<Pipeline> s =
        pipelines.savePipeline(env, name, body, yaml(contentType), ServiceAuth.actor(actor));
    return Response.status(s.created() ? 201 : 200).entity(s.value()).build();
  }

  /**
   * The outcome of a validation; {@code workerGroups}: the groups the tasks run in, also when the
   * definition has problems.
   */
  public record Validation(
      boolean valid, List<ValidationError> errors, List<String> workerGroups) {}

  @POST
  @Path("{name}/validate")
  @Consumes({
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "application/json",
    "text/plain",
    MediaType.WILDCARD
  })
  @Operation(
      summary = "Validate a definition (the body) or, with no body, the saved draft",
      description = "Every problem at once, each with its path")
  public Validation validate(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      String body) {
    DefinitionReader.Result r = pipelines.validate(env, name, body, yaml(contentType));
    return new Validation(r.valid(), r.errors(), r.workerGroups());
  }

  @GET
  @Path("{name}")
  @Operation(summary = "Get a pipeline's draft")
  public Pipeline get(@PathParam("env") String env, @PathParam("name") String name) {
    return pipelines.getPipeline(env, name);
  }

  @DELETE
  @Path("{name}")
  @Operation(summary = "Delete a pipeline's draft (its releases and runs stay)")
  public Response delete(@PathParam("env") String env, @PathParam("name") String name) {
    pipelines.deletePipeline(env, name);
    return Response.noContent().build();
  }

  /** Body of a release. */
  public record ReleaseInput(@Size(max = 80) String bundleDigest) {}

  @POST
  @Path("{name}/releases")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Release the draft (content addressed: the same content returns the same release)",
      description = "201 for a new release, 200 with the existing one for identical content")
  public Response release(
      @PathParam("env") String env,
      @PathParam("name") String name,
      ReleaseInput in,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    PipelineService.Saved<Release> s =
        pipelines.release(
            env, name, in == null ? null : in.bundleDigest(), ServiceAuth.actor(actor));
    return Response.status(s.created() ? 201 : 200).entity(s.value()).build();
  }

  @GET
  @Path("{name}/releases")
  @Operation(summary = "The pipeline's releases in this environment, newest first")
  public List<Release> releases(@PathParam("env") String env, @PathParam("name") String name) {
    return pipelines.listReleases(env, name);
  }

  /** Body of a rollback. */
  public record RollbackInput(@Size(max = 64) String releaseId) {}

  @POST
  @Path("{name}/rollback")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Make an earlier release the one new runs and schedules on latest use",
      description =
          "201 with the ROLLBACK deployment; 204 when the release is the current one already;"
              + " 400 when it is not a release of this pipeline here, or its worker groups or"
              + " secrets are gone")
  public Response rollback(
      @PathParam("env") String env,
      @PathParam("name") String name,
      RollbackInput in,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    if (in == null || in.releaseId() == null || in.releaseId().isBlank()) {
      throw DataplaneException.invalid("releaseId", "releaseId is required");
    }
    Deployment d =
        pipelines.rollback(
            env, name, ReleaseResource.id(in.releaseId(), "release"), ServiceAuth.actor(actor));
    return d == null ? Response.noContent().build() : Response.status(201).entity(d).build();
  }

  @GET
  @Path("{name}/deployments")
  @Operation(
      summary = "Promotions into and rollbacks of this pipeline in this environment, newest first")
  public List<Deployment> deployments(
      @PathParam("env") String env, @PathParam("name") String name) {
    return pipelines.listDeployments(env, name);
  }

  /** Body of a run start. */
  public record StartInput(
      Map<String, Object> params,
      @Size(max = 200) String requestId,
      @Size(max = 64) String releaseId,
      @Size(max = 32) String trigger) {}

  @POST
  @Path("{name}/runs")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Start a run of the latest (or the given) release",
      description = "201 with the new run; 200 with the first run for a known requestId")
  public Response start(
      @PathParam("env") String env,
      @PathParam("name") String name,
      StartInput in,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    StartInput i = in == null ? new StartInput(null, null, null, null) : in;
    RunEngine.Started s =
        engine.start(
            new RunEngine.StartRequest(
                env,
                name,
                i.releaseId(),
                i.params(),
                i.requestId(),
                i.trigger() == null ? "API" : i.trigger(),
                ServiceAuth.actor(actor)));
    PipelineRun run = s.created() ? engine.get(s.run().id()) : s.run();
    return Response.status(s.created() ? 201 : 200).entity(run).build();
  }
}
