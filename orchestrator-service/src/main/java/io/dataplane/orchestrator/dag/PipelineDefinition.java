package io.dataplane.orchestrator.dag;

import io.dataplane.common.triggers.TriggerSpec;
import java.util.List;
import java.util.Map;

/**
 * A pipeline definition in its normalized form: defaults applied, tasks sorted by key, durations in
 * ISO-8601. The same records are read from YAML and from JSON.
 *
 * @param workerGroup the default worker group of the tasks that name none
 * @param maxDuration ISO-8601 limit of a whole run, or null
 * @param sla when a run must have ended to meet its service-level agreement, or null
 * @param triggers the event triggers the definition declares (docs/triggers.md), sorted by name;
 *     the scheduler keeps them in step with the pipeline's current release
 */
public record PipelineDefinition(
    String name,
    String description,
    String workerGroup,
    Map<String, Param> params,
    Concurrency concurrency,
    String maxDuration,
    Sla sla,
    List<TriggerSpec> triggers,
    List<Task> tasks) {

  public PipelineDefinition {
    triggers = triggers == null ? List.of() : triggers;
  }

  /** Runtimes a task may use. */
  public static final List<String> RUNTIMES = List.of("python", "bash");

  /** Parameter types. */
  public static final List<String> PARAM_TYPES =
      List.of("string", "integer", "number", "boolean", "object", "array");

  /** The default worker group when neither the pipeline nor the task names one. */
  public static final String DEFAULT_WORKER_GROUP = "default";

  /** A run parameter: its type, whether it must be given, and its default. */
  public record Param(String type, boolean required, Object defaultValue, String description) {}

  /**
   * A run's service-level agreement; a run still unfinished when it is due has missed it (the run
   * goes on; unlike {@code maxDuration} nothing is stopped).
   *
   * @param maxDuration ISO-8601: the run ends within this long of being requested, or null
   * @param deadlineTime {@code HH:mm}: the run ends by the first such time of day after it was
   *     requested, in {@code timezone}; or null
   * @param timezone an IANA zone id (default UTC), with {@code deadlineTime}
   */
  public record Sla(String maxDuration, String deadlineTime, String timezone) {}

  /** At most {@code max} runs of the pipeline at a time; {@code policy} decides about the next. */
  public record Concurrency(int max, ConcurrencyPolicy policy) {}

  /** What happens to a run started while {@code max} runs are running. */
  public enum ConcurrencyPolicy {
    /** It waits, QUEUED, until a running one ends. */
    QUEUE,
    /** It is cancelled at once. */
    CANCEL_NEWEST,
    /** It fails at once. */
    FAIL
  }

  /**
   * Retries of a failed task.
   *
   * @param max retries after the first attempt (0: none)
   * @param backoff {@code fixed} or {@code exponential}
   * @param jitter fraction (0..1) by which each delay is randomly varied
   */
  public record Retries(
      int max, String backoff, String initialDelay, String maxDelay, double jitter) {
    public static final Retries NONE = new Retries(0, "fixed", "PT10S", "PT10M", 0);
  }

  /**
   * A node of the DAG.
   *
   * @param script inline script, or null when {@code entrypoint} names a bundle file
   * @param timeout ISO-8601 wall-clock limit of one attempt, or null
   */
  public record Task(
      String key,
      String description,
      String runtime,
      String script,
      String entrypoint,
      List<String> dependsOn,
      String workerGroup,
      Retries retries,
      String timeout,
      List<String> secrets,
      Map<String, String> env,
      boolean network) {}

  public Task task(String key) {
    for (Task t : tasks) {
      if (t.key().equals(key)) {
        return t;
      }
    }
    return null;
  }
}
