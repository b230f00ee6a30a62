package io.dataplane.secrets;

import java.time.Instant;
import java.util.UUID;

/**
 * One audit record. Action {@code READ}: a secret read by an attempt (outcome {@code GRANTED}), or
 * a request naming it that was refused ({@code DENIED}, with the reason). Actions {@code SET},
 * {@code DELETE}, {@code GRANT}: a change made through the API (outcome {@code DONE}).
 *
 * @param actor who called (from {@code X-Dataplane-Actor}: the worker or the user; else {@code
 *     system})
 * @param at when
 */
public record SecretRead(
    long id,
    String action,
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
    Instant at) {

  public static final String GRANTED = "GRANTED";
  public static final String DENIED = "DENIED";
  public static final String DONE = "DONE";

  public static final String READ = "READ";
  public static final String SET = "SET";
  public static final String DELETE = "DELETE";
  public static final String GRANT = "GRANT";

  /** A change made through the API. */
  public static SecretRead change(
      String action, String environment, String name, int version, String actor) {
    return new SecretRead(
        0,
        action,
        environment,
        name,
        version,
        DONE,
        null,
        actor,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
