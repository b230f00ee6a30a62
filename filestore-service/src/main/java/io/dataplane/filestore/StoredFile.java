package io.dataplane.filestore;

import java.time.Instant;

/** One file of a pipeline's draft; {@code digest} is {@code sha256:<hex>} of its bytes. */
public record StoredFile(
    String environment,
    String pipeline,
    String path,
    long sizeBytes,
    String digest,
    String contentType,
    String modifiedBy,
    Instant modifiedAt) {}
