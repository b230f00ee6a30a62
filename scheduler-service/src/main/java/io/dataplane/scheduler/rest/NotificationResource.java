package io.dataplane.scheduler.rest;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.scheduler.NotificationChannel;
import io.dataplane.scheduler.NotificationRule;
import io.dataplane.scheduler.repository.NotificationRepository;
import io.dataplane.scheduler.service.NotificationService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Notification channels, rules and the delivery log of an environment (docs/notifications.md). */
@Path("/api/v1/environments/{env}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "notifications")
public class NotificationResource {

  /** A list of channels. */
  public record ChannelList(List<NotificationChannel> items) {}

  /** A list of rules. */
  public record RuleList(List<NotificationRule> items) {}

  /** A delivery and its attempts. */
  public record DeliveryView(
      NotificationRepository.Delivery delivery, List<NotificationRepository.Attempt> attempts) {}

  /** Deliveries, newest first. */
  public record DeliveryList(List<DeliveryView> items) {}

  private final NotificationService service;
  private final NotificationRepository repository;

  public NotificationResource(NotificationService service, NotificationRepository repository) {
    this.service = service;
    this.repository = repository;
  }

  @POST
  @Path("/notification-channels")
  @Operation(summary = "Create a notification channel (201)")
  public Response createChannel(
      @PathParam("env") String env,
      NotificationRequests.Channel body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    NotificationChannel ch = service.createChannel(env, body, ServiceAuth.actor(actor));
    return Rest.created("/api/v1/environments/" + env + "/notification-channels/" + ch.id(), ch);
  }

  @GET
  @Path("/notification-channels")
  public ChannelList channels(@PathParam("env") String env) throws SQLException {
    return new ChannelList(repository.channels(env));
  }

  @GET
  @Path("/notification-channels/{id}")
  public NotificationChannel channel(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    return service.channel(env, Rest.id("notification channel", id));
  }

  @PUT
  @Path("/notification-channels/{id}")
  public NotificationChannel replaceChannel(
      @PathParam("env") String env,
      @PathParam("id") String id,
      NotificationRequests.Channel body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return service.replaceChannel(
        env, Rest.id("notification channel", id), body, ServiceAuth.actor(actor));
  }

  @DELETE
  @Path("/notification-channels/{id}")
  @Operation(summary = "Delete a channel and its rules (the delivery log stays)")
  public Response deleteChannel(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    service.deleteChannel(env, Rest.id("notification channel", id));
    return Response.noContent().build();
  }

  @POST
  @Path("/notification-rules")
  @Operation(summary = "Create a notification rule (201)")
  public Response createRule(
      @PathParam("env") String env,
      NotificationRequests.Rule body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    NotificationRule r = service.createRule(env, body, ServiceAuth.actor(actor));
    return Rest.created("/api/v1/environments/" + env + "/notification-rules/" + r.id(), r);
  }

  @GET
  @Path("/notification-rules")
  public RuleList rules(@PathParam("env") String env, @QueryParam("pipeline") String pipeline)
      throws SQLException {
    return new RuleList(repository.rules(env, pipeline));
  }

  @GET
  @Path("/notification-rules/{id}")
  public NotificationRule rule(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    return service.rule(env, Rest.id("notification rule", id));
  }

  @PUT
  @Path("/notification-rules/{id}")
  public NotificationRule replaceRule(
      @PathParam("env") String env,
      @PathParam("id") String id,
      NotificationRequests.Rule body,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor)
      throws SQLException {
    return service.replaceRule(
        env, Rest.id("notification rule", id), body, ServiceAuth.actor(actor));
  }

  @DELETE
  @Path("/notification-rules/{id}")
  public Response deleteRule(@PathParam("env") String env, @PathParam("id") String id)
      throws SQLException {
    service.deleteRule(env, Rest.id("notification rule", id));
    return Response.noContent().build();
  }

  @GET
  @Path("/notification-deliveries")
  @Operation(summary = "The delivery log, newest first, with each delivery's attempts")
  public DeliveryList deliveries(
      @PathParam("env") String env,
      @QueryParam("ruleId") String ruleId,
      @QueryParam("channelId") String channelId,
      @QueryParam("pipeline") String pipeline,
      @QueryParam("limit") Integer limit)
      throws SQLException {
    List<DeliveryView> out =
        repository
            .deliveries(
                env,
                Rest.optionalId("ruleId", ruleId),
                Rest.optionalId("channelId", channelId),
                pipeline,
                Rest.limit(limit))
            .stream()
            .map(d -> new DeliveryView(d, attempts(d.id())))
            .toList();
    return new DeliveryList(out);
  }

  private List<NotificationRepository.Attempt> attempts(UUID id) {
    try {
      return repository.attempts(id);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
