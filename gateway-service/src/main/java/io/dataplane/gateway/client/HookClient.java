package io.dataplane.gateway.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * scheduler-service's webhook delivery endpoint. The answer (status and body) is relayed to the
 * sender as it is, so no error mapper; no retry either (a delivery is not idempotent until its id
 * is remembered, and the sender retries).
 */
@RegisterRestClient(configKey = "scheduler")
@RegisterClientHeaders(ServiceHeaders.class)
@Path("/api/v1/triggers")
@Timeout(10000)
public interface HookClient {

  @POST
  @Path("/{id}/deliveries")
  @Consumes(MediaType.APPLICATION_OCTET_STREAM)
  Response deliver(
      @PathParam("id") String id,
      @HeaderParam("X-Dataplane-Hook-Token") String token,
      @HeaderParam("X-Hub-Signature-256") String signature,
      @HeaderParam("X-Dataplane-Delivery") String delivery,
      @HeaderParam("X-GitHub-Delivery") String githubDelivery,
      byte[] body);
}
