package io.dataplane.gateway.rest;

import static io.dataplane.gateway.client.Backends.ORCHESTRATOR;

import io.dataplane.gateway.client.Dtos.Run;
import io.dataplane.gateway.client.OrchestratorClient;
import io.dataplane.gateway.client.RequestIds;
import io.dataplane.gateway.client.Requests;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.graphql.Guard;
import io.dataplane.gateway.graphql.Inputs;
import io.dataplane.gateway.repository.Jdbc;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The REST trigger for external systems: start a run with an API key (or a token), JSON params and
 * an {@code Idempotency-Key}; the same key from the same principal always answers with the same
 * run.
 */
@Path("/api/v1/environments/{env}/pipelines/{name}/runs")
@Blocking
public class TriggerResource {

  static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

  private final Guard guard;
  private final OrchestratorClient orchestrator;
  private final Jdbc jdbc;

  public TriggerResource(
      Guard guard,
      @org.eclipse.microprofile.rest.client.inject.RestClient OrchestratorClient orchestrator,
      Jdbc jdbc) {
    this.guard = guard;
    this.orchestrator = orchestrator;
    this.jdbc = jdbc;
  }

  /** The body: run parameters and, optionally, the release to run (default: the latest). */
  public record TriggerRequest(Map<String, Object> params, String releaseId) {}

  /** The answer: the run and whether this request started it. */
  public record TriggerResponse(
      String runId, String environment, String pipeline, String state, boolean created) {}

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response trigger(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      TriggerRequest body) {
    Inputs.check()
        .name("env", env)
        .name("name", name)
        .that(
            idempotencyKey == null || IDEMPOTENCY_KEY.matcher(idempotencyKey).matches(),
            "Idempotency-Key",
            "must be 1-200 printable ASCII characters")
        .maxLength("releaseId", body == null ? null : body.releaseId(), 200)
        .orFail();
    Caller c = guard.require(Permission.EXECUTE, env, name, "triggerRun");
    String principal = c.rateKey();
    if (idempotencyKey != null) {
      Prior prior = find(principal, idempotencyKey);
      if (prior != null) {
        if (!prior.environment().equals(env) || !prior.pipeline().equals(name)) {
          throw new ApiError.Conflict(
              "this Idempotency-Key was already used for "
                  + prior.environment()
                  + "/"
                  + prior.pipeline());
        }
        return Response.ok(new TriggerResponse(prior.runId(), env, name, null, false)).build();
      }
    }
    Map<String, Object> params = body == null || body.params() == null ? Map.of() : body.params();
    // always a requestId, so that retrying the call can never start a second run
    String requestId =
        idempotencyKey == null
            ? RequestIds.fresh("api")
            : RequestIds.scoped("api", principal, idempotencyKey);
    String releaseId = body == null ? null : body.releaseId();
    Run run =
        guard.mutation(
            c,
            "triggerRun",
            "pipeline " + name,
            env,
            "params "
                + params.keySet()
                + (idempotencyKey == null ? "" : ", Idempotency-Key " + idempotencyKey),
            ORCHESTRATOR,
            () ->
                orchestrator.startRun(
                    env, name, new Requests.NewRun(params, requestId, releaseId, "API")));
    if (idempotencyKey != null) {
      remember(principal, idempotencyKey, env, name, run.id());
      Prior winner = find(principal, idempotencyKey);
      if (winner != null && !winner.runId().equals(run.id())) {
        return Response.ok(new TriggerResponse(winner.runId(), env, name, null, false)).build();
      }
    }
    return Response.status(201)
        .entity(new TriggerResponse(run.id(), env, name, run.state(), true))
        .build();
  }

  private record Prior(String environment, String pipeline, String runId) {}

  private Prior find(String principal, String key) {
    return jdbc.first(
            "trigger requests cannot be read",
            "select environment, pipeline, run_id from trigger_requests"
                + " where principal = ? and idempotency_key = ?",
            rs -> new Prior(rs.getString(1), rs.getString(2), rs.getString(3)),
            principal,
            key)
        .orElse(null);
  }

  private void remember(String principal, String key, String env, String pipeline, String runId) {
    jdbc.update(
        "trigger request cannot be saved",
        "insert into trigger_requests (principal, idempotency_key, environment, pipeline,"
            + " run_id) values (?, ?, ?, ?, ?) on conflict do nothing",
        principal,
        key,
        env,
        pipeline,
        runId);
  }
}
