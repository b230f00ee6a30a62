package io.dataplane.gateway.client;

import io.dataplane.gateway.client.Dtos.Backfill;
import io.dataplane.gateway.client.Dtos.BackfillPreview;
import io.dataplane.gateway.client.Dtos.Schedule;
import io.dataplane.gateway.client.Dtos.ScheduleList;
import io.dataplane.gateway.client.Dtos.Trigger;
import io.dataplane.gateway.client.Dtos.TriggerList;
import io.dataplane.gateway.client.NotificationDtos.Channel;
import io.dataplane.gateway.client.NotificationDtos.ChannelList;
import io.dataplane.gateway.client.NotificationDtos.DeliveryList;
import io.dataplane.gateway.client.NotificationDtos.Rule;
import io.dataplane.gateway.client.NotificationDtos.RuleList;
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

/** scheduler-service. Schedule bodies pass through as JSON objects. */
@RegisterRestClient(configKey = "scheduler")
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
public interface SchedulerClient {

  @GET
  @Path("/environments/{env}/schedules")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  ScheduleList schedules(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/schedules/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Schedule schedule(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/schedules")
  Schedule create(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/schedules/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Schedule update(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/schedules/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  void delete(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/schedules/{id}/pause")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Schedule pause(@PathParam("id") String id);

  @POST
  @Path("/schedules/{id}/resume")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Schedule resume(@PathParam("id") String id);

  @GET
  @Path("/schedules/{id}/preview")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Object preview(@PathParam("id") String id, @QueryParam("count") Integer count);

  @POST
  @Path("/environments/{env}/schedules/preview")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Object previewDraft(
      @PathParam("env") String env, Map<String, Object> body, @QueryParam("count") Integer count);

  @POST
  @Path("/schedules/{id}/backfill")
  Backfill backfill(@PathParam("id") String id, Map<String, Object> body);

  @POST
  @Path("/schedules/{id}/backfill")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  BackfillPreview backfillPreview(@PathParam("id") String id, Map<String, Object> body);

  @GET
  @Path("/schedules/{id}/backfills")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  java.util.List<Backfill> backfills(@PathParam("id") String id);

  @GET
  @Path("/backfills/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Backfill backfillById(@PathParam("id") String id);

  @POST
  @Path("/backfills/{id}/cancel")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Backfill cancelBackfill(@PathParam("id") String id);

  @GET
  @Path("/schedules/{id}/fires")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Object fires(@PathParam("id") String id, @QueryParam("limit") Integer limit);

  @GET
  @Path("/environments/{env}/triggers")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  TriggerList triggers(@PathParam("env") String env, @QueryParam("pipeline") String pipeline);

  @GET
  @Path("/environments/{env}/triggers/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Trigger trigger(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/triggers")
  Trigger createTrigger(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/triggers/{id}")
  Trigger updateTrigger(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/triggers/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  void deleteTrigger(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/triggers/{id}/pause")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Trigger pauseTrigger(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/triggers/{id}/resume")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Trigger resumeTrigger(@PathParam("env") String env, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/triggers/{id}/fires")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Object triggerFires(
      @PathParam("env") String env, @PathParam("id") String id, @QueryParam("limit") Integer limit);

  @GET
  @Path("/environments/{env}/notification-channels")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  ChannelList notificationChannels(@PathParam("env") String env);

  @GET
  @Path("/environments/{env}/notification-channels/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Channel notificationChannel(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/notification-channels")
  Channel createNotificationChannel(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/notification-channels/{id}")
  Channel updateNotificationChannel(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/notification-channels/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  void deleteNotificationChannel(@PathParam("env") String env, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/notification-rules")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  RuleList notificationRules(@PathParam("env") String env, @QueryParam("pipeline") String pipeline);

  @GET
  @Path("/environments/{env}/notification-rules/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  Rule notificationRule(@PathParam("env") String env, @PathParam("id") String id);

  @POST
  @Path("/environments/{env}/notification-rules")
  Rule createNotificationRule(@PathParam("env") String env, Map<String, Object> body);

  @PUT
  @Path("/environments/{env}/notification-rules/{id}")
  Rule updateNotificationRule(
      @PathParam("env") String env, @PathParam("id") String id, Map<String, Object> body);

  @DELETE
  @Path("/environments/{env}/notification-rules/{id}")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  void deleteNotificationRule(@PathParam("env") String env, @PathParam("id") String id);

  @GET
  @Path("/environments/{env}/notification-deliveries")
  @Retry(maxRetries = 2, delay = 100, jitter = 50, abortOn = ApiError.class)
  DeliveryList notificationDeliveries(
      @PathParam("env") String env,
      @QueryParam("ruleId") String ruleId,
      @QueryParam("channelId") String channelId,
      @QueryParam("pipeline") String pipeline,
      @QueryParam("limit") Integer limit);
}
