package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.secrets.service.HmacService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The secrets of scheduler-service's notification channels (docs/notifications.md), scope {@code
 * secrets:notify}, secrets named {@code NOTIFY_*} only: a body is signed here with a key that never
 * leaves the service; a Slack URL or SMTP password is handed over for one delivery. Each use is
 * audited as a read.
 */
@Path("/api/v1/environments/{env}/secrets/{name}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NotificationSecretResource {

  /**
   * @param payload the bytes to sign, base64
   */
  public record SignRequest(String payload) {}

  private final HmacService hmac;

  public NotificationSecretResource(HmacService hmac) {
    this.hmac = hmac;
  }

  @ServiceAuth.Scope(ServiceCredentials.SECRETS_NOTIFY)
  @POST
  @Path("hmac-sha256/sign")
  public Map<String, String> sign(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      SignRequest body) {
    if (body == null || body.payload() == null) {
      throw DataplaneException.invalid("payload", "payload is required");
    }
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(body.payload());
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid("payload", "payload must be base64");
    }
    return Map.of("signature", HexFormat.of().formatHex(hmac.sign(env, name, payload, who(actor))));
  }

  @ServiceAuth.Scope(ServiceCredentials.SECRETS_NOTIFY)
  @POST
  @Path("notification-value")
  public Map<String, String> value(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    return Map.of("value", hmac.notificationValue(env, name, who(actor)));
  }

  private static String who(String actor) {
    return actor == null || actor.isBlank() ? "scheduler-service" : ServiceAuth.actor(actor);
  }
}
