package io.dataplane.common.events;

/** Marker for every event payload that travels on a Dataplane topic. */
public sealed interface Event
    permits RunRequested,
        TaskDispatched,
        AttemptStarted,
        AttemptFinished,
        CancelAttempt,
        LogChunk,
        WorkerHeartbeat,
        RunStateChanged,
        SlaMissed,
        WorkerGroupUnserved,
        TaskRunStateChanged,
        PipelineReleased,
        PipelineDeleted,
        SecretChanged,
        BundlePublished {}
