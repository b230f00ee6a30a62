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
 * it); only idempotent calls are retried.
 */
@RegisterRestClient(configKey = "orchestrator")
@RegisterClientHeaders(ServiceHeaders.class)
@RegisterProvider(ServiceErrorMapper.class)
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Timeout(5000)
@CircuitBreaker(
    requestVolumeThreshold = 10,
    failureRatio = 0.5,
    delay = 5000,
    skipOn = ApiError.class)
public interface OrchestratorClient {

  @GET
  @Path("/environments")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Environment> environments();

  @GET
  @Path("/environments/{env}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Environment environment(@PathParam("env") String env);

  @POST
  @Path("/environments")
  Environment createEnvironment(Requests.NewEnvironment body);

  @GET
  @Path("/environments/{env}/log-retention")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Dtos.LogRetention logRetention(@PathParam("env") String env);

  @PUT
  @Path("/environments/{env}/log-retention")
  Dtos.LogRetention setLogRetention(@PathParam("env") String env, Requests.LogRetention body);

  @GET
  @Path("/environments/{env}/worker-groups")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<WorkerGroup> workerGroups(@PathParam("env") String env);

  @POST
  @Path("/environments/{env}/worker-groups")
  WorkerGroup createWorkerGroup(@PathParam("env") String env, Requests.NewWorkerGroup body);

  @GET
  @Path("/environments/{env}/pipelines")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Pipeline> pipelines(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/pipelines/{name}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Pipeline pipeline(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}/pipelines/{name}")
  @Consumes("application/yaml")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Pipeline savePipelineYaml(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @PUT
  @Path("/environments/{env}/pipelines/{name}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Pipeline savePipelineJson(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  ValidationResult validatePipeline(@PathParam("env") String env, @PathParam("name") String name);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes("application/yaml")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  ValidationResult validateYaml(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes(MediaType.APPLICATION_JSON)
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  ValidationResult validateJson(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  /** What the orchestrator reads from a definition before it is saved. */
  record DefinitionCheck(boolean valid, List<String> workerGroups) {}

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes("application/yaml")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  DefinitionCheck checkPipelineYaml(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @POST
  @Path("/environments/{env}/pipelines/{name}/validate")
  @Consumes(MediaType.APPLICATION_JSON)
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  DefinitionCheck checkPipelineJson(
      @PathParam("env") String env, @PathParam("name") String name, String definition);

  @DELETE
  @Path("/environments/{env}/pipelines/{name}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  void deletePipeline(@PathParam("env") String env, @PathParam("name") String name);

  @POST
  @Path("/environments/{env}/pipelines/{name}/releases")
  Release release(
      @PathParam("env") String env, @PathParam("name") String name, Requests.NewRelease body);

  @GET
  @Path("/environments/{env}/pipelines/{name}/releases")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Release> releases(@PathParam("env") String env, @PathParam("name") String name);

  @GET
  @Path("/releases/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Release releaseById(@PathParam("id") String id);

  @GET
  @Path("/releases/{a}/diff/{b}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Object diff(@PathParam("a") String a, @PathParam("b") String b);

  @POST
  @Path("/environments/{env}/pipelines/{name}/rollback")
  Dtos.Deployment rollback(
      @PathParam("env") String env, @PathParam("name") String name, Requests.Rollback body);

  @GET
  @Path("/environments/{env}/pipelines/{name}/deployments")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Dtos.Deployment> deployments(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}")
  Environment updateEnvironment(@PathParam("env") String env, Requests.Description body);

  @DELETE
  @Path("/environments/{env}")
  void deleteEnvironment(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/pipelines/{name}/drafts")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Dtos.DraftVersion> draftHistory(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/environments/{env}/pipelines/{name}/drafts/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Dtos.DraftVersion draftVersion(
      @PathParam("env") String env, @PathParam("name") String name, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/pipelines/{name}/drafts/diff")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Object draftDiff(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("from") String from,
      @QueryParam("to") String to);

  @POST
  @Path("/environments/{env}/pipelines/{name}/drafts/{id}/restore")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Pipeline restoreDraft(
      @PathParam("env") String env, @PathParam("name") String name, @PathParam("id") String id);

  @PUT
  @Path("/environments/{env}/worker-groups/{group}")
  WorkerGroup updateWorkerGroup(
      @PathParam("env") String env, @PathParam("group") String group, Requests.Description body);

  @DELETE
  @Path("/environments/{env}/worker-groups/{group}")
  void deleteWorkerGroup(@PathParam("env") String env, @PathParam("group") String group);

  @POST
  @Path("/releases/{id}/promotions")
  Release promote(@PathParam("id") String id, Requests.Promotion body);

  /** Idempotent by {@code requestId}: the same id gives the same run, so it may be retried. */
  @POST
  @Path("/environments/{env}/pipelines/{name}/runs")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Run startRun(@PathParam("env") String env, @PathParam("name") String name, Requests.NewRun body);

  @GET
  @Path("/runs")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  RunPage runs(
      @QueryParam("environment") String environment,
      @QueryParam("pipeline") String pipeline,
      @QueryParam("state") String state,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/runs/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Run run(@PathParam("id") String id);

  @POST
  @Path("/runs/{id}/cancel")
  Run cancelRun(@PathParam("id") String id);

  /** Idempotent by {@code requestId}, like starting a run. */
  @POST
  @Path("/runs/{id}/rerun")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Run rerunRun(@PathParam("id") String id, Requests.Rerun body);

  @GET
  @Path("/task-runs/{id}/logs")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  LogPage logs(
      @PathParam("id") String taskRunId,
      @QueryParam("attempt") Integer attempt,
      @QueryParam("afterSeq") Long afterSeq,
      @QueryParam("limit") Integer limit);

  @GET
  @Path("/workers")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Worker> workers(
      @QueryParam("environment") String environment, @QueryParam("group") String group);
}
