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
 * Verifies an HMAC-SHA256 signature under a secret's key (webhook triggers of scheduler-service):
 * the answer is only valid or not, never the key.
 */
@Path("/api/v1/environments/{env}/secrets/{name}/hmac-sha256/verify")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class HmacResource {

  /**
   * @param payload the signed bytes, base64
   * @param signature the signature to check, hex (64 characters)
   */
  public record VerifyRequest(String payload, String signature) {}

  private final HmacService hmac;

  public HmacResource(HmacService hmac) {
    this.hmac = hmac;
  }

  @ServiceAuth.Scope(ServiceCredentials.SECRETS_HMAC)
  @POST
  public Map<String, Boolean> verify(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      VerifyRequest body) {
    if (body == null || body.payload() == null || body.signature() == null) {
      throw DataplaneException.invalid("", "payload and signature are required");
    }
    byte[] payload;
    byte[] signature;
    try {
      payload = Base64.getDecoder().decode(body.payload());
      signature = HexFormat.of().parseHex(body.signature());
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid("signature", "payload must be base64, signature hex");
    }
    if (signature.length != 32) {
      throw DataplaneException.invalid("signature", "an HMAC-SHA256 signature is 32 bytes");
    }
    String who = actor == null || actor.isBlank() ? "scheduler-service" : ServiceAuth.actor(actor);
    return Map.of("valid", hmac.verify(env, name, payload, signature, who));
  }
}
