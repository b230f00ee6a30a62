package io.dataplane.gateway.rest;

import static io.dataplane.gateway.client.Backends.SCHEDULER;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.HookClient;
import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.error.ApiError;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The public webhook endpoint of event triggers. The gateway is the platform's only public edge
 * (TLS, rate limits, body limits), so senders post here; the hook's own token or HMAC signature is
 * its authentication (no sign-in), checked by scheduler-service, which owns the trigger, against
 * the secrets service, which holds HMAC keys. The raw body is relayed byte for byte (a signature is
 * over the exact bytes), capped while it is read.
 */
@Path("/api/v1/hooks/{id}")
@Blocking
public class HookResource {

  private final HookClient scheduler;
  private final GatewayConfig config;

  public HookResource(@RestClient HookClient scheduler, GatewayConfig config) {
    this.scheduler = scheduler;
    this.config = config;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Response deliver(
      @PathParam("id") String id,
      @HeaderParam("Content-Length") String length,
      @HeaderParam("X-Dataplane-Token") String token,
      @HeaderParam("X-Hub-Signature-256") String signature,
      @HeaderParam("X-Dataplane-Delivery") String delivery,
      @HeaderParam("X-GitHub-Delivery") String githubDelivery,
      InputStream body) {
    try {
      UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new ApiError.NotFound("hook " + id);
    }
    int max = config.hooks().maxBodyBytes();
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > max) {
          throw new ApiError.TooLarge("webhook bodies are limited to " + max + " bytes");
        }
      } catch (NumberFormatException e) {
        throw ApiError.invalid("Content-Length", "bad Content-Length");
      }
    }
    byte[] raw;
    try {
      raw = body == null ? new byte[0] : body.readNBytes(max + 1);
    } catch (IOException e) {
      throw ApiError.invalid("body", "the body could not be read");
    }
    if (raw.length > max) {
      throw new ApiError.TooLarge("webhook bodies are limited to " + max + " bytes");
    }
    Response r =
        Backends.call(
            SCHEDULER,
            () -> {
              try {
                return scheduler.deliver(id, token, signature, delivery, githubDelivery, raw);
              } catch (WebApplicationException e) {
                // the scheduler's refusal (401 forged, 409 replayed, 422 ...): the sender's answer
                return e.getResponse();
              }
            });
    byte[] answer = r.hasEntity() ? r.readEntity(byte[].class) : new byte[0];
    return Response.status(r.getStatus()).type(MediaType.APPLICATION_JSON).entity(answer).build();
  }
}
