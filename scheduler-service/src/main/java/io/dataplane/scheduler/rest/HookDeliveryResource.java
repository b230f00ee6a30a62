package io.dataplane.scheduler.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.json.Json;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.dataplane.scheduler.service.HmacCheck;
import io.dataplane.scheduler.service.TriggerFirer;
import io.dataplane.scheduler.trigger.HookSignature;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A webhook delivery, as relayed by the gateway from {@code POST /api/v1/hooks/{id}} (the public
 * edge) with the raw body and the sender's headers. Checked in this order: the trigger is a
 * webhook, the body is not too large, the token or HMAC signature is right (before anything is
 * remembered, so a forger cannot spend delivery ids), a delivery id is given and not seen within
 * the replay window, the body is a JSON object without NUL. Then one run per delivery id.
 */
@Path("/api/v1/triggers/{id}/deliveries")
@Tag(name = "triggers")
public class HookDeliveryResource {

  /** Delivery ids: printable ASCII, as GitHub's GUIDs and most senders' ids are. */
  static final Pattern DELIVERY = Pattern.compile("[\\x21-\\x7e]{1,200}");

  /** The answer to a delivery. */
  public record DeliveryResult(String triggerId, String requestId, String outcome, String reason) {}

  private final TriggerRepository repository;
  private final TriggerFirer firer;
  private final HmacCheck hmac;
  private final SchedulerConfig config;

  public HookDeliveryResource(
      TriggerRepository repository, TriggerFirer firer, HmacCheck hmac, SchedulerConfig config) {
    this.repository = repository;
    this.firer = firer;
    this.hmac = hmac;
    this.config = config;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "A webhook delivery relayed by the gateway (202: a run was requested)")
  public Response deliver(
      @PathParam("id") String id,
      @HeaderParam("X-Dataplane-Hook-Token") String token,
      @HeaderParam("X-Hub-Signature-256") String signature,
      @HeaderParam("X-Dataplane-Delivery") String delivery,
      @HeaderParam("X-GitHub-Delivery") String githubDelivery,
      byte[] body)
      throws SQLException, IOException {
    Trigger t =
        repository
            .find(Rest.id("trigger", id))
            .filter(x -> x.kind() == Trigger.Kind.WEBHOOK)
            .orElseThrow(() -> DataplaneException.notFound("hook " + id));
    byte[] raw = body == null ? new byte[0] : body;
    if (raw.length > config.triggers().maxBodyBytes()) {
      throw new DataplaneException(
          ErrorCodes.TOO_LARGE,
          "the body is larger than " + config.triggers().maxBodyBytes() + " bytes");
    }
    boolean verified;
    if ("HMAC".equals(t.auth())) {
      byte[] sig = HookSignature.parseSignatureHeader(signature);
      if (sig == null) {
        throw unauthorized("X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body> is required");
      }
      if (!hmac.configured()) {
        throw new DataplaneException(
            ErrorCodes.UNAVAILABLE, "HMAC webhooks need dataplane.scheduler.secrets-url");
      }
      verified = hmac.matches(t.environment(), t.secretName(), raw, sig);
    } else {
      verified = HookSignature.tokenMatches(token, t.tokenHash());
    }
    if (!verified) {
      throw unauthorized("the signature or token does not match this hook");
    }
    String deliveryId = delivery != null ? delivery : githubDelivery;
    if (deliveryId == null || !DELIVERY.matcher(deliveryId).matches()) {
      throw DataplaneException.invalid(
          "X-Dataplane-Delivery",
          "a delivery id (X-Dataplane-Delivery or X-GitHub-Delivery, 1-200 printable ASCII)"
              + " is required: it makes a redelivery start no second run");
    }
    Map<String, Object> params = parse(raw);
    if (t.state() != Schedule.State.ENABLED) {
      throw DataplaneException.conflict("trigger " + t.name() + " is " + t.state());
    }
    try (Connection c = repository.connection()) {
      if (!repository.rememberDelivery(c, t.id(), deliveryId, config.triggers().replayWindow())) {
        throw DataplaneException.conflict(
            "delivery "
                + deliveryId
                + " was already received within the replay window ("
                + config.triggers().replayWindow()
                + ")");
      }
    }
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("body", params);
    context.put("delivery", deliveryId);
    TriggerFirer.Result r =
        firer.fire(t, "hook:" + deliveryId, context, params, "webhook delivery " + deliveryId, 0);
    DeliveryResult out =
        new DeliveryResult(t.id().toString(), r.requestId(), r.outcome().name(), r.reason());
    return switch (r.outcome()) {
      case REQUESTED -> Response.accepted(out).build();
      case DUPLICATE -> Response.ok(out).build();
      case FAILED -> Response.status(422).entity(out).build();
      case IGNORED -> Response.status(409).entity(out).build();
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(byte[] raw) {
    if (raw.length == 0) {
      return Map.of();
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(raw);
    } catch (JsonProcessingException e) {
      throw DataplaneException.invalid("body", "the body is not JSON");
    } catch (IOException e) {
      throw DataplaneException.invalid("body", "the body cannot be read");
    }
    if (node == null || !node.isObject()) {
      throw DataplaneException.invalid(
          "body", "the body must be a JSON object (its fields become params)");
    }
    return Json.mapper().convertValue(node, Map.class);
  }

  private static DataplaneException unauthorized(String message) {
    return new DataplaneException(ErrorCodes.UNAUTHENTICATED, message);
  }
}
