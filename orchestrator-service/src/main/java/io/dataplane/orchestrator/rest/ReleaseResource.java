package io.dataplane.orchestrator.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.orchestrator.Release;
import io.dataplane.orchestrator.service.PipelineService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Releases by id: get, diff, promote. */
@Path("/api/v1/releases")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "releases")
public class ReleaseResource {

  private final PipelineService pipelines;

  public ReleaseResource(PipelineService pipelines) {
    this.pipelines = pipelines;
  }

  static UUID id(String s, String what) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      throw DataplaneException.notFound(what + " " + s);
    }
  }

  @GET
  @Path("{id}")
  @Operation(summary = "Get a release")
  public Release get(@PathParam("id") String id) {
    return pipelines.getRelease(id(id, "release"));
  }

  @GET
  @Path("{a}/diff/{b}")
  @Operation(summary = "What changed from release a to release b (tasks named by key)")
  public PipelineService.Diff diff(@PathParam("a") String a, @PathParam("b") String b) {
    return pipelines.diff(id(a, "release"), id(b, "release"));
  }

  /** Body of a promotion. */
  public record PromotionInput(
      @NotBlank String targetEnvironment, Map<String, String> workerGroupMap) {}

  @POST
  @Path("{id}/promotions")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Promote a release into another environment",
      description =
          "Same definition and bundle digest; worker groups must exist in the target or be"
              + " mapped with workerGroupMap (source → target). Recorded as a deployment.")
  public Response promote(
      @PathParam("id") String id,
      @Valid PromotionInput in,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    if (in == null) {
      throw DataplaneException.invalid("targetEnvironment", "targetEnvironment is required");
    }
    PipelineService.Promotion p =
        pipelines.promote(
            id(id, "release"),
            in.targetEnvironment(),
            in.workerGroupMap(),
            ServiceAuth.actor(actor));
    Release r = p.release();
    return Response.status(201)
        .entity(
            new PromotedRelease(
                r.id(),
                r.environment(),
                r.pipeline(),
                r.digest(),
                r.bundleDigest(),
                r.definition(),
                r.createdAt(),
                r.createdBy(),
                p.deployment()))
        .build();
  }

  /** The release in the target environment, with the deployment that records the promotion. */
  public record PromotedRelease(
      UUID id,
      String environment,
      String pipeline,
      String digest,
      String bundleDigest,
      io.dataplane.orchestrator.dag.PipelineDefinition definition,
      java.time.Instant createdAt,
      String createdBy,
      io.dataplane.orchestrator.Deployment deployment) {}
}
