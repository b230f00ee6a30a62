package io.dataplane.gateway.client;

import io.dataplane.gateway.client.Dtos.Bundle;
import io.dataplane.gateway.client.Dtos.FileEntry;
import io.dataplane.gateway.client.Dtos.FileList;
import io.dataplane.gateway.error.ApiError;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * filestore-service. File paths are passed already encoded segment by segment ({@link
 * #encodePath}), so that their slashes stay slashes. Retries and circuit breaker as in {@link
 * OrchestratorClient}: moving a file and making a bundle are not retried; the timeout is longer.
 */
@RegisterRestClient(configKey = "filestore")
@RegisterClientHeaders(ServiceHeaders.class)
@RegisterProvider(ServiceErrorMapper.class)
@Path("/api/v1")
@Timeout(10000)
@Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
@CircuitBreaker(
    requestVolumeThreshold = 10,
    failureRatio = 0.5,
    delay = 5000,
    skipOn = ApiError.class)
public interface FilestoreClient {

  @GET
  @Path("/environments/{env}/pipelines/{pipeline}/files")
  @Produces(MediaType.APPLICATION_JSON)
  FileList files(@PathParam("env") String env, @PathParam("pipeline") String pipeline);

  @GET
  @Path("/environments/{env}/pipelines/{pipeline}/files/{path}")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  byte[] read(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @Encoded @PathParam("path") String encodedPath);

  @PUT
  @Path("/environments/{env}/pipelines/{pipeline}/files/{path}")
  @Consumes(MediaType.APPLICATION_OCTET_STREAM)
  @Produces(MediaType.APPLICATION_JSON)
  FileEntry write(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @Encoded @PathParam("path") String encodedPath,
      byte[] content);

  @DELETE
  @Path("/environments/{env}/pipelines/{pipeline}/files/{path}")
  void delete(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @Encoded @PathParam("path") String encodedPath);

  @POST
  @Path("/environments/{env}/pipelines/{pipeline}/files:move")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Retry(maxRetries = 0)
  FileEntry move(
      @PathParam("env") String env, @PathParam("pipeline") String pipeline, Requests.FileMove body);

  @POST
  @Path("/environments/{env}/pipelines/{pipeline}/bundles")
  @Produces(MediaType.APPLICATION_JSON)
  @Retry(maxRetries = 0)
  Bundle bundle(@PathParam("env") String env, @PathParam("pipeline") String pipeline);

  /** Percent-encodes each segment of a relative file path. */
  static String encodePath(String path) {
    StringBuilder sb = new StringBuilder();
    for (String segment : path.split("/")) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(
          java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8)
              .replace("+", "%20"));
    }
    return sb.toString();
  }
}
