package io.dataplane.gateway.client;

import io.dataplane.gateway.client.Dtos.Backfill;
import io.dataplane.gateway.client.Dtos.BackfillPreview;
import io.dataplane.gateway.client.Dtos.Items;
import io.dataplane.gateway.client.Dtos.Schedule;
import io.dataplane.gateway.client.Dtos.Trigger;
import io.dataplane.gateway.client.NotificationDtos.Channel;
import io.dataplane.gateway.client.NotificationDtos.DeliveryView;
import io.dataplane.gateway.client.NotificationDtos.Rule;
import io.dataplane.gateway.error.ApiError;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * scheduler-service. Schedule bodies pass through as JSON objects. Timeout, retries and circuit
 * breaker as in {@link OrchestratorClient}: calls that are not idempotent say
 * {@code @Retry(maxRetries = 0)}.
 */
@RegisterRestClient(configKey = "scheduler")
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
public interface SchedulerClient {

  @GET
  @Path("/environments/{env}/schedules")
  Items<Schedule> schedules(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/schedules/{id}")
  Schedule schedule(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/schedules")
  @Retry(maxRetries = 0)
  Schedule create(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/schedules/{id}")
  Schedule update(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/schedules/{id}")
  void delete(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/schedules/{id}/pause")
  Schedule pause(@PathParam("id") String id);

  @POST
  @Path("/schedules/{id}/resume")
  Schedule resume(@PathParam("id") String id);

  @GET
  @Path("/schedules/{id}/preview")
  Object preview(@PathParam("id") String id, @QueryParam("count") Integer count);

  @POST
  @Path("/environments/{env}/schedules/preview")
  Object previewDraft(
      @PathParam("env") String env, Map<String, Object> body, @QueryParam("count") Integer count);

  @POST
  @Path("/schedules/{id}/backfill")
  @Retry(maxRetries = 0)
  Backfill backfill(@PathParam("id") String id, Map<String, Object> body);

  @POST
  @Path("/schedules/{id}/backfill")
  BackfillPreview backfillPreview(@PathParam("id") String id, Map<String, Object> body);

  @GET
  @Path("/schedules/{id}/backfills")
  java.util.List<Backfill> backfills(@PathParam("id") String id);

  @GET
  @Path("/backfills/{id}")
  Backfill backfillById(@PathParam("id") String id);

  @POST
  @Path("/backfills/{id}/cancel")
  Backfill cancelBackfill(@PathParam("id") String id);

  @GET
  @Path("/schedules/{id}/fires")
  Object fires(@PathParam("id") String id, @QueryParam("limit") Integer limit);

  @GET
  @Path("/environments/{env}/triggers")
  Items<Trigger> triggers(@PathParam("env") String env, @QueryParam("pipeline") String pipeline);

  @GET
  @Path("/environments/{env}/triggers/{id}")
  Trigger trigger(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/triggers")
  @Retry(maxRetries = 0)
  Trigger createTrigger(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/triggers/{id}")
  @Retry(maxRetries = 0)
  Trigger updateTrigger(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/triggers/{id}")
  void deleteTrigger(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/triggers/{id}/pause")
  Trigger pauseTrigger(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/triggers/{id}/resume")
  Trigger resumeTrigger(@PathParam("env") String env, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/triggers/{id}/fires")
  Object triggerFires(
      @PathParam("env") String env, @PathParam("id") String id, @QueryParam("limit") Integer limit);

  @GET
  @Path("/environments/{env}/notification-channels")
  Items<Channel> notificationChannels(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/notification-channels/{id}")
  Channel notificationChannel(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/notification-channels")
  @Retry(maxRetries = 0)
  Channel createNotificationChannel(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/notification-channels/{id}")
  @Retry(maxRetries = 0)
  Channel updateNotificationChannel(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/notification-channels/{id}")
  void deleteNotificationChannel(@PathParam("env") String env, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/notification-rules")
  Items<Rule> notificationRules(
      @PathParam("env") String env, @QueryParam("pipeline") String pipeline);

  @GET
  @Path("/environments/{env}/notification-rules/{id}")
  Rule notificationRule(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/notification-rules")
  @Retry(maxRetries = 0)
  Rule createNotificationRule(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/notification-rules/{id}")
  @Retry(maxRetries = 0)
  Rule updateNotificationRule(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/notification-rules/{id}")
  void deleteNotificationRule(@PathParam("env") String env, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/notification-deliveries")
  Items<DeliveryView> notificationDeliveries(
      @PathParam("env") String env,
      @QueryParam("ruleId") String ruleId,
      @QueryParam("channelId") String channelId,
      @QueryParam("pipeline") String pipeline,
      @QueryParam("limit") Integer limit);
}
