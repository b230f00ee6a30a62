package io.dataplane.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where notifications of an environment go: a generic webhook (signed with the key in {@code
 * secretName}), a Slack-compatible incoming webhook (its URL is the value of {@code secretName}) or
 * email over SMTP (the password is the value of {@code secretName}). The secrets stay in
 * secrets-service.
 */
public record NotificationChannel(
    UUID id,
    String environment,
    String name,
    Kind kind,
    String url,
    String secretName,
    String smtpHost,
    Integer smtpPort,
    String smtpTls,
    String smtpUsername,
    String mailFrom,
    List<String> mailTo,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy) {

  /** Kinds of channel. */
  public enum Kind {
    WEBHOOK,
    SLACK,
    EMAIL
  }
}
