package io.dataplane.common.events;

import java.util.List;
import java.util.regex.Pattern;

/** Every Kafka topic name (ARCHITECTURE.md, "How they talk"). */
public final class Topics {

  /** RunRequested; key: environment/pipeline. gateway, scheduler → orchestrator. */
  public static final String RUN_REQUESTS = "dataplane.run-requests";

  /**
   * Prefix of the dispatch topics, one per worker group of an environment ({@code
   * <prefix><environment>.<group>}); key: runId. orchestrator → workers of that group.
   */
  public static final String TASK_DISPATCH_PREFIX = "dataplane.task-dispatch.";

  /** AttemptStarted, AttemptFinished; key: runId. workers → orchestrator. */
  public static final String TASK_EVENTS = "dataplane.task-events";

  /** CancelAttempt; key: workerId. orchestrator → workers. */
  public static final String TASK_CONTROL = "dataplane.task-control";

  /** LogChunk; key: taskRunId. workers → orchestrator, gateway. */
  public static final String TASK_LOGS = "dataplane.task-logs";

  /** WorkerHeartbeat; key: workerId. workers → orchestrator, gateway. */
  public static final String WORKER_HEARTBEATS = "dataplane.worker-heartbeats";

  /** RunStateChanged, TaskRunStateChanged; key: runId. orchestrator → gateway, scheduler. */
  public static final String RUN_EVENTS = "dataplane.run-events";

  /** PipelineReleased, PipelineDeleted; key: environment/pipeline. orchestrator → scheduler. */
  public static final String PIPELINE_EVENTS = "dataplane.pipeline-events";

  /** SecretChanged; key: environment. secrets → workers. */
  public static final String SECRET_EVENTS = "dataplane.secret-events";

  /** BundlePublished; key: bundle digest. filestore → orchestrator, workers. */
  public static final String BUNDLE_EVENTS = "dataplane.bundle-events";

  /**
   * Records a consumer can never process, with the reason and source in headers; key: the source
   * topic. any consumer → operators.
   */
  public static final String DEAD_LETTERS = "dataplane.dead-letters";

  /**
   * Environment and worker group names usable in a topic name (no '.', so {@code
   * <environment>.<group>} reads back one way only).
   */
  public static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");

  private Topics() {}

  /**
   * The dispatch topic of one worker group of one environment: dev's and prod's {@code default}
   * groups are different topics, read by different workers.
   */
  public static String taskDispatch(String environment, String workerGroup) {
    if (environment == null || !GROUP_NAME.matcher(environment).matches()) {
      throw new IllegalArgumentException("invalid environment name: " + environment);
    }
    if (workerGroup == null || !GROUP_NAME.matcher(workerGroup).matches()) {
      throw new IllegalArgumentException("invalid worker group name: " + workerGroup);
    }
    return TASK_DISPATCH_PREFIX + environment + "." + workerGroup;
  }

  /** The fixed topics (dispatch topics are created per worker group). */
  public static List<String> fixed() {
    return List.of(
        RUN_REQUESTS,
        TASK_EVENTS,
        TASK_CONTROL,
        TASK_LOGS,
        WORKER_HEARTBEATS,
        RUN_EVENTS,
        PIPELINE_EVENTS,
        SECRET_EVENTS,
        BUNDLE_EVENTS,
        DEAD_LETTERS);
  }
}
