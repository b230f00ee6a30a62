package io.dataplane.gateway.client;

import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

/**
 * Notification channels, rules and deliveries as scheduler-service answers them (GraphQL types).
 */
public final class NotificationDtos {

  private NotificationDtos() {}

  @Type("NotificationChannel")
  @Description(
      "Where an environment's notifications go: a signed generic webhook, a Slack-compatible"
          + " incoming webhook or email over SMTP; secrets stay in the secrets service")
  public record Channel(
      String id,
      String environment,
      String name,
      @Description("WEBHOOK, SLACK or EMAIL") String kind,
      @Description("WEBHOOK: the receiver") String url,
      @Description(
              "The NOTIFY_* secret: WEBHOOK signing key, SLACK incoming webhook URL, EMAIL SMTP"
                  + " password")
          String secretName,
      String smtpHost,
      Integer smtpPort,
      @Description("NONE, STARTTLS or TLS") String smtpTls,
      String smtpUsername,
      String mailFrom,
      List<String> mailTo,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy) {}

  @Type("NotificationRule")
  @Description(
      "Which events of an environment (or one pipeline) go to a channel, with a quiet period per"
          + " pipeline")
  public record Rule(
      String id,
      String environment,
      String name,
      @Description("null: every pipeline of the environment") String pipeline,
      @Description("RUN_FAILED, RUN_SUCCEEDED, MISFIRE, SLA_MISSED, NO_WORKER") List<String> events,
      String channelId,
      Integer quietPeriodSeconds,
      Boolean enabled,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy) {}

  @Type("NotificationDeliveryRecord")
  @Description("One notification of one rule for one event")
  public record Delivery(
      String id,
      String ruleId,
      String channelId,
      String environment,
      String pipeline,
      @Description("RUN_FAILED, RUN_SUCCEEDED or MISFIRE") String event,
      String eventKey,
      @Description("what the notification says: run, state, error (bounded), link") Object facts,
      @Description("PENDING, DELIVERED, FAILED or SUPPRESSED (quiet period)") String state,
      Integer attempts,
      Instant nextAttemptAt,
      String lastError,
      Integer lastStatus,
      Instant createdAt,
      Instant finishedAt) {}

  @Type("NotificationAttempt")
  public record Attempt(
      Integer attempt,
      Instant at,
      @Description("DELIVERED, FAILED, TIMEOUT or REFUSED") String outcome,
      @Description("the receiver's HTTP status") Integer status,
      String error,
      Long durationMs) {}

  @Type("NotificationDelivery")
  public record DeliveryView(Delivery delivery, List<Attempt> attempts) {}
}
