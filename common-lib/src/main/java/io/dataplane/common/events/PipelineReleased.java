package io.dataplane.common.events;

/** A pipeline has a new release; schedules on "latest" follow it. */
public record PipelineReleased(
    String environment, String pipeline, String releaseId, String digest, String bundleDigest)
    implements Event {}
