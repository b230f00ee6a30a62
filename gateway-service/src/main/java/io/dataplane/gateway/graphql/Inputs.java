package io.dataplane.gateway.graphql;

import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.gateway.error.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Collects every problem of an input, then fails once with all of them and their paths. */
public final class Inputs {

  /** Names of environments, pipelines and worker groups (they appear in topic names and URLs). */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /** Secret names (they become environment variables of tasks). */
  public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private final List<ErrorResponse.Detail> details = new ArrayList<>();

  public static Inputs check() {
    return new Inputs();
  }

  /** Checks the environment and the id of something in it (a schedule, a trigger, a rule). */
  public static void environmentAndId(String environment, String id) {
    check().name("environment", environment).required("id", id).maxLength("id", id, 100).orFail();
  }

  /**
   * Starts the check of a schedule's or a trigger's input with what both have: the environment, the
   * pipeline they start, an optional name, a description and a pinned release.
   */
  static Inputs pipelineRule(
      String environment, String pipeline, String name, String description, String releaseId) {
    return check()
        .name("environment", environment)
        .name("input.pipeline", pipeline)
        .optionalName("input.name", name)
        .maxLength("input.description", description, 1000)
        .maxLength("input.releaseId", releaseId, 100);
  }

  public Inputs required(String path, Object value) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      add(path, "is required");
    }
    return this;
  }

  public Inputs name(String path, String value) {
    return matches(
        path,
        value,
        NAME,
        "must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit");
  }

  public Inputs optionalName(String path, String value) {
    return value == null ? this : name(path, value);
  }

  public Inputs matches(String path, String value, Pattern pattern, String rule) {
    if (value == null || value.isBlank()) {
      add(path, "is required");
    } else if (!pattern.matcher(value).matches()) {
      add(path, rule);
    }
    return this;
  }

  public Inputs maxLength(String path, String value, int max) {
    if (value != null && value.length() > max) {
      add(path, "must be at most " + max + " characters");
    }
    return this;
  }

  public Inputs range(String path, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      add(path, "must be between " + min + " and " + max);
    }
    return this;
  }

  /** Null, or a JSON object. */
  public Inputs jsonObject(String path, Object value) {
    return that(value == null || value instanceof Map, path, "must be a JSON object");
  }

  public Inputs that(boolean ok, String path, String message) {
    if (!ok) {
      add(path, message);
    }
    return this;
  }

  public Inputs add(String path, String message) {
    details.add(new ErrorResponse.Detail(path, ErrorCodes.INVALID_INPUT, message));
    return this;
  }

  /** Fails with INVALID_INPUT listing every problem, if there is any. */
  public void orFail() {
    if (!details.isEmpty()) {
      throw ApiError.invalid(details);
    }
  }
}
