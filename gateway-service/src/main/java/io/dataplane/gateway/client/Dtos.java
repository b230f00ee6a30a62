package io.dataplane.gateway.client;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

/**
 * The shapes the services answer with (ARCHITECTURE.md and the REST contract). They double as
 * GraphQL output types. Unknown fields are ignored, so a service may add fields freely; free-form
 * JSON (params, outputs, definitions) travels as the {@code Object} scalar.
 */
public final class Dtos {

  private Dtos() {}

  /**
   * A list as scheduler-service answers it, {@code {"items": [...]}}; not a GraphQL type (the API
   * returns the items).
   */
  public record Items<T>(List<T> items) {}

  @Type("Environment")
  @Description("An isolated space: pipelines, secrets, files, worker groups and permissions")
  public record Environment(String name, String description, Instant createdAt, String createdBy) {}

  @Type("LogRetention")
  @Description(
      "An environment's task log retention: days a finished run's logs are kept and the most bytes"
          + " of logs one run stores (set: null means the platform default; effective: what"
          + " applies; 0: no limit)")
  public record LogRetention(
      String environment,
      Integer retentionDays,
      Long maxBytesPerRun,
      int effectiveRetentionDays,
      long effectiveMaxBytesPerRun) {}

  @Type("WorkerGroup")
  public record WorkerGroup(
      String name, String environment, String description, Instant createdAt, String createdBy) {}

  @Type("Worker")
  @Description("A live worker process, as last reported by its heartbeats")
  public record Worker(
      @JsonAlias("id") String workerId,
      String state,
      @JsonAlias("group") List<String> groups,
      @JsonAlias("cpu") Double cpuLoad,
      @JsonAlias("memory") Long memoryUsedBytes,
      Long memoryTotalBytes,
      @JsonAlias("load") Double systemLoad,
      Integer slots,
      Integer freeSlots,
      @Description("the attempts the worker is running") Object running,
      String version,
      Boolean draining,
      Instant startedAt,
      Instant lastSeen,
      @Description(
              "how the worker contains tasks: bwrap (sandboxed), none (an operator allowed"
                  + " unsandboxed tasks) or unavailable (its sandbox cannot start: it takes no"
                  + " work); null for a worker too old to say")
          String sandbox) {}

  @Type("Pipeline")
  @Description("A named DAG of tasks; its editable form is the draft")
  public record Pipeline(
      String name,
      String environment,
      @Description("the parsed definition (JSON)") Object definition,
      @Description("the definition as it was saved") String source,
      @Description("YAML or JSON") String sourceFormat,
      String latestReleaseId,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy) {}

  @Type("Problem")
  @Description("One problem in an input: where (path), what (code) and why (message)")
  public record Problem(String path, String code, String message) {}

  @Type("ValidationResult")
  public record ValidationResult(boolean valid, List<Problem> errors) {}

  @Type("Release")
  @Description("An immutable, content-addressed version of a pipeline")
  public record Release(
      String id,
      String environment,
      String pipeline,
      String digest,
      String bundleDigest,
      Object definition,
      Instant createdAt,
      String createdBy) {}

  @Type("Deployment")
  @Description(
      "A change of the release a pipeline's new runs use in an environment: PROMOTION from another"
          + " environment or ROLLBACK to an earlier release (fromReleaseId: the one it replaced)")
  public record Deployment(
      String id,
      String kind,
      String releaseId,
      String environment,
      String pipeline,
      String fromEnvironment,
      String fromReleaseId,
      @Description("worker groups of the source mapped to the target's (JSON)")
          Object workerGroupMap,
      String deployedBy,
      Instant deployedAt) {}

  @Type("Run")
  @Description("One execution of a release")
  public record Run(
      String id,
      String environment,
      String pipeline,
      String releaseId,
      String state,
      Object params,
      String trigger,
      String requestId,
      @JsonAlias("requestedBy") String createdBy,
      String error,
      @Description("the run this one reruns") String rerunOf,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      @Description("when the pipeline's SLA says the run must have ended (null: no SLA)")
          Instant slaDueAt,
      @Description("when the run was found to have missed its SLA (null: not missed)")
          Instant slaMissedAt,
      List<TaskRun> taskRuns,
      @Description(
              "why the run does not run: its concurrency limit, or its most pressing task's"
                  + " reason when none of its tasks runs; null when it runs or ended")
          WaitingReason waitingReason) {}

  @Type("WaitingReason")
  @Description("Why a run or a task run waits, from the engine's state")
  public record WaitingReason(
      @Description(
              "CONCURRENCY_LIMIT, NO_WORKER, SLOTS_BUSY, DISPATCHED (handed to workers with room,"
                  + " not taken yet), RETRY_BACKOFF or UPSTREAM_RUNNING")
          String kind,
      @Description("a sentence for people") String message,
      @Description("when the wait ends by itself (retry backoff)") Instant until,
      @Description(
              "1-based place in the queue it waits in (the pipeline's runs, or the worker"
                  + " group's dispatches)")
          Integer position,
      @Description("the runs holding the pipeline's concurrency limit") List<String> runs,
      @Description("the upstream tasks it waits for; on a run, the waiting task")
          List<String> tasks,
      @Description("the environment/group it waits on") String workerGroup) {}

  @Type("TaskRun")
  public record TaskRun(
      String id,
      String runId,
      String taskKey,
      String state,
      Integer attempt,
      Integer retriesUsed,
      String workerGroup,
      Object outputs,
      String error,
      Instant startedAt,
      Instant finishedAt,
      List<Attempt> attempts,
      @Description("why the task run does not run; null when it runs or ended")
          WaitingReason waitingReason) {}

  @Type("Attempt")
  public record Attempt(
      Integer attempt,
      String state,
      String outcome,
      String workerId,
      Integer exitCode,
      String error,
      Object outputs,
      Instant dispatchedAt,
      Instant claimedAt,
      Instant startedAt,
      Instant finishedAt,
      Boolean logsComplete) {}

  @Type("RunPage")
  public record RunPage(List<Run> items, String nextCursor) {}

  @Type("LogLine")
  public record LogLine(long seq, Instant ts, String stream, String text, int attempt) {}

  @Type("LogPage")
  public record LogPage(Integer attempt, List<LogLine> lines, Long nextSeq, boolean complete) {}

  @Type("Secret")
  @Description("A secret's metadata; values are never returned")
  public record Secret(
      String name,
      String environment,
      Integer version,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy,
      SecretGrants grants,
      Instant lastReadAt) {}

  @Type("SecretGrants")
  public record SecretGrants(List<String> pipelines, List<String> workerGroups) {}

  @Type("SecretAuditEntry")
  @Description("A write, delete or grant through the API, or a read by an attempt (or its refusal)")
  public record SecretAuditEntry(
      Long id,
      Instant at,
      String actor,
      @Description("SET, DELETE, GRANT or READ") String action,
      String name,
      Integer version,
      @Description("DONE, GRANTED or DENIED") String outcome,
      String reason,
      String pipeline,
      String workerGroup,
      String runId,
      String taskRunId,
      Integer attempt) {}

  @Type("FileEntry")
  public record FileEntry(
      String path,
      Long sizeBytes,
      String digest,
      String contentType,
      String modifiedBy,
      Instant modifiedAt) {}

  @Type("FileList")
  public record FileList(List<FileEntry> items, Integer fileCount, Long totalBytes) {}

  @Type("FileContent")
  public record FileContent(String path, String text, long sizeBytes) {}

  @Type("Bundle")
  public record Bundle(String digest, Long sizeBytes, Object files) {}

  @Type("Schedule")
  @Description("A cron or RRule rule with a timezone that starts runs of a pipeline")
  public record Schedule(
      String id,
      String environment,
      String name,
      String pipeline,
      String description,
      String cron,
      String rrule,
      String timezone,
      Object params,
      @Description("ENABLED, PAUSED or STOPPED") String state,
      String stateReason,
      @Description("whether the state is PAUSED") Boolean paused,
      @Description("ALL, LAST or NONE") String misfirePolicy,
      String releaseId,
      Instant nextFireAt,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy) {

    public Schedule {
      // scheduler-service reports the state only
      if (paused == null && state != null) {
        paused = "PAUSED".equals(state);
      }
    }
  }

  @Type("DraftVersion")
  @Description(
      "One saved version of a pipeline's draft: who saved it when, and the digest of its"
          + " normalized definition (saving the same definition again adds no version)")
  public record DraftVersion(
      String id,
      String environment,
      String pipeline,
      @Description("1, 2, ... per pipeline") int version,
      String digest,
      Instant savedAt,
      String savedBy,
      @Description("the version a restore made the draft again") String restoredFrom,
      @Description("the text as saved (only when read alone)") String source,
      String sourceFormat,
      @Description("the normalized definition (only when read alone)") Object definition) {}

  @Type("Backfill")
  @Description(
      "The fire times of a past window of a schedule, requested as runs, at most maxConcurrent in"
          + " flight; counts by item state")
  public record Backfill(
      String id,
      String scheduleId,
      Instant from,
      Instant to,
      int maxConcurrent,
      @Description("RUNNING, DONE or CANCELLED") String state,
      @Description("fire times in the window") int total,
      @Description("not requested yet") int pending,
      @Description("requested, its run not finished yet") int requested,
      @Description("its run finished") int done,
      @Description("already fired before (by the schedule or another backfill)") int skipped,
      Instant createdAt,
      String createdBy,
      Instant finishedAt) {}

  @Type("BackfillPreview")
  @Description("A dry run of a backfill: the fire times it would request, and those already fired")
  public record BackfillPreview(
      String scheduleId,
      Instant from,
      Instant to,
      List<Instant> fireTimes,
      @Description("fire times of the window already in the fire ledger (a backfill skips them)")
          List<Instant> alreadyFired) {}

  @Type("Trigger")
  @Description(
      "An event rule that starts runs of a pipeline: another pipeline's completion, a webhook or"
          + " a Kafka message")
  public record Trigger(
      String id,
      String environment,
      String name,
      String pipeline,
      @Description("COMPLETION, WEBHOOK or KAFKA") String kind,
      String description,
      @Description("COMPLETION: the watched pipeline of the same environment")
          String upstreamPipeline,
      @Description("COMPLETION: SUCCEEDED, FAILED or ANY") String onState,
      @Description("KAFKA: the external topic") String topic,
      String filterField,
      String filterValue,
      @Description("WEBHOOK: TOKEN or HMAC") String auth,
      @Description("WEBHOOK HMAC: the secret holding the signing key") String secretName,
      @Description("WEBHOOK: where to POST deliveries, at the gateway") String hookPath,
      @Description("WEBHOOK TOKEN: shown once, in the answer that created or rotated it")
          String token,
      @Description("params templates (Mustache) rendered per event") Object params,
      @Description("ENABLED, PAUSED or STOPPED") String state,
      String stateReason,
      @Description("LATEST or PINNED") String releaseMode,
      String releaseId,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy,
      @Description(
              "true when the pipeline's definition declares it (triggers:); it changes only with a"
                  + " release, and its name is <pipeline>/<name>")
          boolean declared) {}
}
