package io.dataplane.orchestrator.dag;

/**
 * One problem in a pipeline definition or in a run's params.
 *
 * @param path where, e.g. {@code tasks[2].dependsOn[0]}
 * @param code a stable code such as {@code CYCLE} or {@code UNKNOWN_DEPENDENCY}
 */
public record ValidationError(String path, String code, String message) {

  public static final String REQUIRED = "REQUIRED";
  public static final String INVALID_TYPE = "INVALID_TYPE";
  public static final String INVALID_VALUE = "INVALID_VALUE";
  public static final String UNKNOWN_FIELD = "UNKNOWN_FIELD";
  public static final String DUPLICATE_KEY = "DUPLICATE_KEY";
  public static final String UNKNOWN_DEPENDENCY = "UNKNOWN_DEPENDENCY";
  public static final String CYCLE = "CYCLE";
  public static final String INVALID_RUNTIME = "INVALID_RUNTIME";
  public static final String UNKNOWN_WORKER_GROUP = "UNKNOWN_WORKER_GROUP";
  public static final String INVALID_DURATION = "INVALID_DURATION";
  public static final String INVALID_NAME = "INVALID_NAME";
  public static final String SYNTAX = "SYNTAX";
  public static final String UNKNOWN_PARAM = "UNKNOWN_PARAM";
}
