package io.dataplane.secrets;

import java.time.Instant;

/**
 * A secret's metadata as the API shows it; the value is never part of it.
 *
 * @param version the latest version (the one resolved)
 * @param lastReadAt when a task last read it, or null
 */
public record Secret(
    String environment,
    String name,
    int version,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy,
    SecretGrants grants,
    Instant lastReadAt) {}
