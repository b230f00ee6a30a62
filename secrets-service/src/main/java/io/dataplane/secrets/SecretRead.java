package io.dataplane.secrets;

import java.time.Instant;
import java.util.UUID;

/**
 * One audit record: a secret read by an attempt (outcome {@code GRANTED}), or a request naming it
 * that was refused ({@code DENIED}, with the reason).
 *
 * @param actor who called (the worker, from {@code X-Dataplane-Actor}, or {@code system})
 */
public record SecretRead(
    long id,
    String environment,
    String name,
    Integer version,
    String outcome,
    String reason,
    String actor,
    String pipeline,
    String workerGroup,
    UUID runId,
    UUID taskRunId,
    Integer attempt,
    Instant readAt) {

  public static final String GRANTED = "GRANTED";
  public static final String DENIED = "DENIED";
}
