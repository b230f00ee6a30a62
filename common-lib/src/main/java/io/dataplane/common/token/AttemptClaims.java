package io.dataplane.common.token;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What an attempt token vouches for: which attempt of which task in which environment, which
 * secrets it declared, which bundle it runs, and until when.
 */
public record AttemptClaims(
    String environment,
    String pipeline,
    String workerGroup,
    UUID runId,
    UUID taskRunId,
    int attempt,
    List<String> secrets,
    String bundleDigest,
    Instant expiresAt) {

  public AttemptClaims {
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }
}
