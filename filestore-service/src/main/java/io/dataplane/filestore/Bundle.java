package io.dataplane.filestore;

/** A published bundle: {@code digest} is {@code sha256:<hex>} of the archive's bytes. */
public record Bundle(String digest, long sizeBytes, int files) {}
