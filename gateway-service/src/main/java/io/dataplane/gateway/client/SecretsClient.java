package io.dataplane.gateway.client;

import io.dataplane.gateway.client.Dtos.Secret;
import io.dataplane.gateway.client.Dtos.SecretAuditEntry;
import io.dataplane.gateway.error.ApiError;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * secrets-service. Setting a value makes a new version, so it is never retried ({@code maxRetries =
 * 0}); timeout, retries and circuit breaker otherwise as in {@link OrchestratorClient}.
 */
@RegisterRestClient(configKey = "secrets")
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
public interface SecretsClient {

  @GET
  @Path("/environments/{env}/secrets")
  List<Secret> secrets(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/secrets/{name}")
  Secret secret(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}/secrets/{name}")
  @Retry(maxRetries = 0)
  Secret setSecret(
      @PathParam("env") String env, @PathParam("name") String name, Requests.SecretValue body);

  @DELETE
  @Path("/environments/{env}/secrets/{name}")
  void deleteSecret(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}/secrets/{name}/grants")
  Secret grant(@PathParam("env") String env, @PathParam("name") String name, Requests.Grants body);

  @GET
  @Path("/environments/{env}/secrets/{name}/audit")
  List<SecretAuditEntry> audit(@PathParam("env") String env, @PathParam("name") String name);
}
