package io.dataplane.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One object of an environment as the plan sees it: a worker group, pipeline, code file ({@code
 * name} = pipeline/path), schedule, trigger, a secret's grants, a notification channel or rule.
 * {@code spec} is what is compared (normalized); {@code remoteId} the server's id (schedules,
 * triggers); {@code payload} what applying needs besides the spec (a pipeline's source text, a
 * file's content).
 */
public record StateObject(
    String kind, String name, JsonNode spec, String remoteId, JsonNode payload) {

  public static final String WORKER_GROUP = "workerGroup";
  public static final String PIPELINE = "pipeline";
  public static final String FILE = "file";
  public static final String SCHEDULE = "schedule";
  public static final String TRIGGER = "trigger";

  /** Which pipelines and worker groups may receive a secret ({@code name}: the secret's). */
  public static final String SECRET_GRANTS = "secretGrants";

  public static final String CHANNEL = "notificationChannel";
  public static final String RULE = "notificationRule";

  public String key() {
    return kind + "/" + name;
  }

  /** The pipeline a file belongs to. */
  public String filePipeline() {
    return name.substring(0, name.indexOf('/'));
  }

  /** A file's path inside its pipeline. */
  public String filePath() {
    return name.substring(name.indexOf('/') + 1);
  }
}
