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

/** secrets-service. Setting a value makes a new version, so it is never retried. */
@RegisterRestClient(configKey = "secrets")
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
public interface SecretsClient {

  @GET
  @Path("/environments/{env}/secrets")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<Secret> secrets(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/secrets/{name}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Secret secret(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}/secrets/{name}")
  Secret setSecret(
      @PathParam("env") String env, @PathParam("name") String name, Requests.SecretValue body);

  @DELETE
  @Path("/environments/{env}/secrets/{name}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  void deleteSecret(@PathParam("env") String env, @PathParam("name") String name);

  @PUT
  @Path("/environments/{env}/secrets/{name}/grants")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Secret grant(@PathParam("env") String env, @PathParam("name") String name, Requests.Grants body);

  @GET
  @Path("/environments/{env}/secrets/{name}/audit")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  List<SecretAuditEntry> audit(@PathParam("env") String env, @PathParam("name") String name);
}
