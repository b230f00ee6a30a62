package io.dataplane.gateway.client;

import io.dataplane.gateway.client.Dtos.Environment;
import io.dataplane.gateway.client.Dtos.LogPage;
import io.dataplane.gateway.client.Dtos.Pipeline;
import io.dataplane.gateway.client.Dtos.Release;
import io.dataplane.gateway.client.Dtos.Run;
import io.dataplane.gateway.client.Dtos.RunPage;
import io.dataplane.gateway.client.Dtos.ValidationResult;
import io.dataplane.gateway.client.Dtos.Worker;
import io.dataplane.gateway.client.Dtos.WorkerGroup;
import io.dataplane.gateway.error.ApiError;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * orchestrator-service. Every call has a timeout and a circuit breaker (caller errors do not trip
 * it); only idempotent calls are retried: the others say {@code @Retry(maxRetries = 0)}.
 */
@RegisterRestClient(configKey = "orchestrator")
@RegisterClientHeaders(ServiceHeaders.class)
@RegisterProvider(ServiceErrorMapper.class)
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Timeout(5000)
@Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
@CircuitBreaker(
    requestVolumeThreshold = 10,
    failureRatio = 0.5,
    delay = 5000,
    skipOn = ApiError.class)
public interface OrchestratorClient {

  @GET
  @Path("/environments")
  List<Environment> environments();

  @GET
  @Path("/environments/{env}")
  Environment environment(@PathParam("env") String env);

  @POST
  @Path("/environments")
  @Retry(maxRetries = 0)
  Environment createEnvironment(Requests.NewEnvironment body);

  @GET
  @Path("/environments/{env}/log-retention")
  Dtos.LogRetention logRetention(@PathParam("env") String env);

  @PUT
  @Path("/environments/{env}/log-retention")
  @Retry(maxRetries = 0)
  Dtos.LogRetention setLogRetention(@PathParam("env") String env, Requests.LogRetention body);

  @GET
  @Path("/environments/{env}/worker-groups")
  List<WorkerGroup> workerGroups(@PathParam("env") String env);

  @POST
  @Path("/environments/{env}/worker-groups")
  @Retry(maxRetries = 0)
  WorkerGroup createWorkerGroup(@PathParam("env") String env, Requests.NewWorkerGroup body);

  @GET
  @Path("/environments/{env}/pipelines")
  List<Pipeline> pipelines(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/pipelines/{name}")
  Pipeline pipeline(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}/pipelines/{name}")
  @Consumes("application/yaml")
  Pipeline savePipelineYaml(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @PUT
  @Path("/environments/{env}/pipelines/{name}")
  @Consumes(MediaType.APPLICATION_JSON)
  Pipeline savePipelineJson(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  ValidationResult validatePipeline(@PathParam("env") String env, @PathParam("name") String name);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes("application/yaml")
  ValidationResult validateYaml(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes(MediaType.APPLICATION_JSON)
  ValidationResult validateJson(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  /** What the orchestrator reads from a definition before it is saved. */
  record DefinitionCheck(boolean valid, List<String> workerGroups) {}

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes("application/yaml")
  DefinitionCheck checkPipelineYaml(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes(MediaType.APPLICATION_JSON)
  DefinitionCheck checkPipelineJson(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @DELETE
  @Path("/environments/{env}/pipelines/{name}")
  void deletePipeline(@PathParam("env") String env, @PathParam("name") String name);

  @POST
  @Path("/environments/{env}/pipelines/{name}/releases")
  @Retry(maxRetries = 0)
  Release release(
      @PathParam("env") String env, @PathParam("name") String name, Requests.NewRelease body);

  @GET
  @Path("/environments/{env}/pipelines/{name}/releases")
  List<Release> releases(@PathParam("env") String env, @PathParam("name") String name);

  @GET
  @Path("/releases/{id}")
  Release releaseById(@PathParam("id") String id);

  @GET
  @Path("/releases/{a}/diff/{b}")
  Object diff(@PathParam("a") String a, @PathParam("b") String b);

  @POST
  @Path("/environments/{env}/pipelines/{name}/rollback")
  @Retry(maxRetries = 0)
  Dtos.Deployment rollback(
      @PathParam("env") String env, @PathParam("name") String name, Requests.Rollback body);

  @GET
  @Path("/environments/{env}/pipelines/{name}/deployments")
  List<Dtos.Deployment> deployments(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}")
  @Retry(maxRetries = 0)
  Environment updateEnvironment(@PathParam("env") String env, Requests.Description body);

  @DELETE
  @Path("/environments/{env}")
  @Retry(maxRetries = 0)
  void deleteEnvironment(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/pipelines/{name}/drafts")
  List<Dtos.DraftVersion> draftHistory(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/environments/{env}/pipelines/{name}/drafts/{id}")
  Dtos.DraftVersion draftVersion(
      @PathParam("env") String env, @PathParam("name") String name, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/pipelines/{name}/drafts/diff")
  Object draftDiff(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("from") String from,
      @QueryParam("to") String to);

  @POST
  @Path("/environments/{env}/pipelines/{name}/drafts/{id}/restore")
  Pipeline restoreDraft(
      @PathParam("env") String env, @PathParam("name") String name, @PathParam("id") String id);

  @PUT
  @Path("/environments/{env}/worker-groups/{group}")
  @Retry(maxRetries = 0)
  WorkerGroup updateWorkerGroup(
      @PathParam("env") String env, @PathParam("group") String group, Requests.Description body);

  @DELETE
  @Path("/environments/{env}/worker-groups/{group}")
  @Retry(maxRetries = 0)
  void deleteWorkerGroup(@PathParam("env") String env, @PathParam("group") String group);

  @POST
  @Path("/releases/{id}/promotions")
  @Retry(maxRetries = 0)
  Release promote(@PathParam("id") String id, Requests.Promotion body);

  /** Idempotent by {@code requestId}: the same id gives the same run, so it may be retried. */
  @POST
  @Path("/environments/{env}/pipelines/{name}/runs")
  Run startRun(@PathParam("env") String env, @PathParam("name") String name, Requests.NewRun body);

  @GET
  @Path("/runs")
  RunPage runs(
      @QueryParam("environment") String environment,
      @QueryParam("pipeline") String pipeline,
      @QueryParam("state") String state,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/runs/{id}")
  Run run(@PathParam("id") String id);

  @POST
  @Path("/runs/{id}/cancel")
  @Retry(maxRetries = 0)
  Run cancelRun(@PathParam("id") String id);

  /** Idempotent by {@code requestId}, like starting a run. */
  @POST
  @Path("/runs/{id}/rerun")
  Run rerunRun(@PathParam("id") String id, Requests.Rerun body);

  @GET
  @Path("/task-runs/{id}/logs")
  LogPage logs(
      @PathParam("id") String taskRunId,
      @QueryParam("attempt") Integer attempt,
      @QueryParam("afterSeq") Long afterSeq,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/workers")
  List<Worker> workers(
      @QueryParam("environment") String environment, @QueryParam("group") String group);
}
