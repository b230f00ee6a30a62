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

  @Type("Environment")
  @Description("An isolated space: pipelines, secrets, files, worker groups and permissions")
  public record Environment(String name, String description, Instant createdAt, String createdBy) {}

  @Type("WorkerGroup")
  public record WorkerGroup(
      String name, String environment, String description, Instant createdAt) {}

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
      Object running,
      Instant lastSeen) {}

  @Type("Pipeline")
  @Description("A named DAG of tasks; its editable form is the draft")
  public record Pipeline(
      String name,
      String environment,
      Object definition,
      String latestReleaseId,
      Instant createdAt,
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
      Instant createdAt,
      String createdBy) {}

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
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      List<TaskRun> taskRuns) {}

  @Type("TaskRun")
  public record TaskRun(
      String id,
      String taskKey,
      String state,
      Integer attempt,
      String workerGroup,
      Object outputs,
      String error,
      Instant startedAt,
      Instant finishedAt,
      List<Attempt> attempts) {}

  @Type("Attempt")
  public record Attempt(
      Integer attempt,
      String state,
      String outcome,
      String workerId,
      Integer exitCode,
      String error,
      Object outputs,
      Instant startedAt,
      Instant finishedAt) {}

  @Type("RunPage")
  public record RunPage(List<Run> items, String nextCursor) {}

  @Type("LogLine")
  public record LogLine(long seq, Instant ts, String stream, String text, int attempt) {}

  @Type("LogPage")
  public record LogPage(List<LogLine> lines, Long nextSeq, boolean complete) {}

  @Type("Secret")
  @Description("A secret's metadata; values are never returned")
  public record Secret(
      String name,
      String environment,
      Integer version,
      Instant createdAt,
      Instant updatedAt,
      String updatedBy,
      SecretGrants grants) {}

  @Type("SecretGrants")
  public record SecretGrants(List<String> pipelines, List<String> workerGroups) {}

  @Type("SecretAuditEntry")
  public record SecretAuditEntry(
      Instant at,
      String actor,
      String action,
      String name,
      Integer version,
      String runId,
      String taskRunId,
      String outcome,
      String reason) {}

  @Type("FileEntry")
  public record FileEntry(
      String path, Long sizeBytes, String digest, Instant updatedAt, String contentType) {}

  @Type("FileContent")
  public record FileContent(String path, String text, long sizeBytes) {}

  @Type("Bundle")
  public record Bundle(String digest, Long sizeBytes, Object files) {}

  @Type("Schedule")
  @Description("A cron or RRule rule with a timezone that starts runs of a pipeline")
  public record Schedule(
      String id,
      String environment,
      String pipeline,
      String cron,
      String rrule,
      String timezone,
      Object params,
      Boolean paused,
      String missedFirePolicy,
      Instant nextFireAt,
      Instant createdAt,
      String createdBy) {}
}
