package io.dataplane.common.events;

/** A pipeline's files were snapshotted into a content-addressed bundle. */
public record BundlePublished(
    String environment, String pipeline, String digest, long sizeBytes, int files)
    implements Event {}
