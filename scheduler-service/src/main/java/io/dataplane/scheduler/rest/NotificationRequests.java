package io.dataplane.scheduler.rest;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of notification channel and rule creates and replaces (docs/notifications.md). */
public final class NotificationRequests {

  private NotificationRequests() {}

  /** A channel. */
  @Schema(description = "A notification channel")
  public record Channel(
      @Schema(description = "Unique in the environment") String name,
      @Schema(description = "WEBHOOK, SLACK or EMAIL") String kind,
      @Schema(description = "WEBHOOK: the receiver's http(s) URL") String url,
      @Schema(
              description =
                  "A secret (NOTIFY_*) of the environment: WEBHOOK signing key, SLACK incoming"
                      + " webhook URL, EMAIL SMTP password")
          String secretName,
      @Schema(description = "EMAIL: the SMTP server") String smtpHost,
      @Schema(description = "EMAIL: its port (default 587)") Integer smtpPort,
      @Schema(description = "EMAIL: NONE, STARTTLS (default) or TLS") String smtpTls,
      @Schema(description = "EMAIL: the SMTP user (absent: no login)") String smtpUsername,
      @Schema(description = "EMAIL: the sender address") String from,
      @Schema(description = "EMAIL: the recipients") List<String> to) {}

  /** A rule. */
  @Schema(description = "A notification rule")
  public record Rule(
      @Schema(description = "Unique in the environment") String name,
      @Schema(description = "A pipeline; absent: every pipeline of the environment")
          String pipeline,
      @Schema(description = "RUN_FAILED, RUN_SUCCEEDED, MISFIRE, SLA_MISSED") List<String> events,
      @Schema(description = "The channel's id") String channelId,
      @Schema(description = "Seconds after a notification in which the same rule stays quiet")
          Integer quietPeriodSeconds,
      @Schema(description = "false: the rule sends nothing (default true)") Boolean enabled) {}
}
