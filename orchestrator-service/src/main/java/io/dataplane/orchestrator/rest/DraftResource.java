package io.dataplane.orchestrator.rest;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.orchestrator.Pipeline;
import io.dataplane.orchestrator.service.DraftHistory;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The history of a pipeline's draft: versions, diffs, restore. */
@Path("/api/v1/environments/{env}/pipelines/{name}/drafts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "pipelines")
public class DraftResource {

  private final DraftHistory drafts;

  public DraftResource(DraftHistory drafts) {
    this.drafts = drafts;
  }

  @GET
  @Operation(summary = "The saved versions of a pipeline's draft, newest first (no source)")
  public List<DraftHistory.DraftVersion> list(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("limit") Integer limit) {
    return drafts.list(env, name, limit == null ? 50 : limit);
  }

  @GET
  @Path("diff")
  @Operation(
      summary = "What changed from one version to another",
      description =
          "from and to: a draft version id, a release id of this pipeline, or 'draft' (the"
              + " current draft); tasks named by key")
  public DraftHistory.DraftDiff diff(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    return drafts.diff(env, name, from, to == null ? DraftHistory.CURRENT : to);
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One saved version of the draft, with its source")
  public DraftHistory.DraftVersion get(
      @PathParam("env") String env, @PathParam("name") String name, @PathParam("id") String id) {
    return drafts.get(env, name, ReleaseResource.id(id, "draft version"));
  }

  @POST
  @Path("{id}/restore")
  @Operation(
      summary = "Make a saved version the draft again",
      description =
          "Validated against today's worker groups like any save; recorded as a new version")
  public Pipeline restore(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @PathParam("id") String id,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    return drafts.restore(
        env, name, ReleaseResource.id(id, "draft version"), ServiceAuth.actor(actor));
  }
}
