package io.dataplane.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which events of an environment (or of one pipeline in it) go to a channel, with a quiet period:
 * after a notification of a rule about a pipeline, further events of that rule and pipeline within
 * the period are recorded SUPPRESSED and not sent.
 */
public record NotificationRule(
    UUID id,
    String environment,
    String name,
    String pipeline,
    List<String> events,
    UUID channelId,
    int quietPeriodSeconds,
    boolean enabled,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy) {

  /** A run ended FAILED. */
  public static final String RUN_FAILED = "RUN_FAILED";

  /** A run ended SUCCEEDED. */
  public static final String RUN_SUCCEEDED = "RUN_SUCCEEDED";

  /** A trigger fire failed (no run started). */
  public static final String MISFIRE = "MISFIRE";

  /** A run was still unfinished when its pipeline's SLA was due (it goes on). */
  public static final String SLA_MISSED = "SLA_MISSED";

  /** Tasks of a worker group wait and no live worker serves the group. */
  public static final String NO_WORKER = "NO_WORKER";

  /** The events a rule may name. */
  public static final List<String> EVENTS =
      List.of(RUN_FAILED, RUN_SUCCEEDED, MISFIRE, SLA_MISSED, NO_WORKER);
}
