package io.dataplane.common.events;

/** A pipeline was deleted; its schedules stop. */
public record PipelineDeleted(String environment, String pipeline) implements Event {}
