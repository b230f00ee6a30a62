package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.ORCHESTRATOR;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.DraftVersion;
import io.dataplane.gateway.client.Dtos.Pipeline;
import io.dataplane.gateway.client.OrchestratorClient;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Draft history: reading it needs read on the pipeline; restoring a version needs write on the
 * pipeline and the use of the worker groups the restored tasks run in, like saving it.
 */
@GraphQLApi
@Blocking
public class DraftGraphQLApi {

  private final Guard guard;
  private final OrchestratorClient orchestrator;

  public DraftGraphQLApi(Guard guard, @RestClient OrchestratorClient orchestrator) {
    this.guard = guard;
    this.orchestrator = orchestrator;
  }

  @Query("draftHistory")
  @Description(
      "The saved versions of a pipeline's draft, newest first (author, time, digest; no source)")
  public List<DraftVersion> draftHistory(
      @NonNull String environment, @NonNull String pipeline, @DefaultValue("50") int limit) {
    Inputs.check()
        .name("environment", environment)
        .name("pipeline", pipeline)
        .range("limit", limit, 1, 1000)
        .orFail();
    guard.require(Permission.READ, environment, pipeline, "draftHistory");
    return Backends.call(
        ORCHESTRATOR, () -> orchestrator.draftHistory(environment, pipeline, limit));
  }

  @Query("draftVersion")
  @Description("One saved version of a pipeline's draft, with its source")
  public DraftVersion draftVersion(
      @NonNull String environment, @NonNull String pipeline, @NonNull String id) {
    check(environment, pipeline, "id", id);
    guard.require(Permission.READ, environment, pipeline, "draftVersion");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.draftVersion(environment, pipeline, id));
  }

  @Query("draftDiff")
  @Description(
      "What changed from one version of a pipeline to another: from and to are each a draft"
          + " version id, a release id of the pipeline, or \"draft\" (the current draft)")
  public Object draftDiff(
      @NonNull String environment,
      @NonNull String pipeline,
      @NonNull String from,
      @DefaultValue("draft") String to) {
    check(environment, pipeline, "from", from);
    check(environment, pipeline, "to", to);
    guard.require(Permission.READ, environment, pipeline, "draftDiff");
    return Backends.call(
        ORCHESTRATOR, () -> orchestrator.draftDiff(environment, pipeline, from, to));
  }

  @Mutation("restoreDraft")
  @Description(
      "Makes a saved version the pipeline's draft again (checked like a save, recorded as a new"
          + " version)")
  public Pipeline restoreDraft(
      @NonNull String environment, @NonNull String pipeline, @NonNull String id) {
    check(environment, pipeline, "id", id);
    Caller c = guard.require(Permission.WRITE, environment, pipeline, "restoreDraft");
    DraftVersion v =
        Backends.call(ORCHESTRATOR, () -> orchestrator.draftVersion(environment, pipeline, id));
    guard
        .access()
        .requireUseOfWorkerGroups(
            c,
            environment,
            pipeline,
            PipelineGraphQLApi.workerGroupsOf(v.definition()),
            "restoreDraft");
    return guard.mutation(
        c,
        "restoreDraft",
        "pipeline " + pipeline,
        environment,
        "version " + v.version() + " (" + v.digest() + ")",
        ORCHESTRATOR,
        () -> orchestrator.restoreDraft(environment, pipeline, id));
  }

  private static void check(String environment, String pipeline, String field, String value) {
    Inputs.check()
        .name("environment", environment)
        .name("pipeline", pipeline)
        .required(field, value)
        .maxLength(field, value, 100)
        .orFail();
  }
}
