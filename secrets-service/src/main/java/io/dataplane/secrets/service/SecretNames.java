package io.dataplane.secrets.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.common.events.Topics;
import io.dataplane.secrets.SecretGrants;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Input rules: secret names, values, environments, grant subjects. */
public final class SecretNames {

  /** A secret name: usable as an environment variable name. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** Environment and pipeline names as the URL carries them (the orchestrator decides more). */
  static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private SecretNames() {}

  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw DataplaneException.invalid(
          "name",
          "invalid secret name '"
              + abbreviate(name)
              + "': use letters, digits and _, not starting with a digit, at most 128 characters");
    }
  }

  public static void checkEnvironment(String environment) {
    if (environment == null || !SUBJECT.matcher(environment).matches()) {
      throw DataplaneException.invalid(
          "environment", "invalid environment name '" + abbreviate(environment) + "'");
    }
  }

  /** Returns the value's UTF-8 bytes. */
  public static byte[] checkValue(String value, int maxBytes) {
    if (value == null) {
      throw DataplaneException.invalid("value", "value is required");
    }
    if (value.isEmpty()) {
      throw DataplaneException.invalid("value", "value must not be empty");
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) {
      String msg =
          "value is " + bytes.length + " bytes; at most " + maxBytes + " bytes are allowed";
      throw new DataplaneException(
          ErrorCodes.TOO_LARGE, msg, List.of(new ErrorResponse.Detail("value", "TOO_LARGE", msg)));
    }
    return bytes;
  }

  /** Validates grants; returns them sorted, without duplicates. */
  public static SecretGrants checkGrants(SecretGrants requested) {
    List<ErrorResponse.Detail> problems = new ArrayList<>();
    List<String> pipelines = checkGrants("pipelines", requested.pipelines(), false, problems);
    List<String> groups = checkGrants("workerGroups", requested.workerGroups(), true, problems);
    if (!problems.isEmpty()) {
      throw DataplaneException.invalid(problems);
    }
    return new SecretGrants(pipelines, groups);
  }

  private static List<String> checkGrants(
      String field, List<String> subjects, boolean groups, List<ErrorResponse.Detail> problems) {
    List<String> list = subjects == null ? List.of() : subjects;
    for (int i = 0; i < list.size(); i++) {
      String s = list.get(i);
      boolean ok =
          s != null
              && (groups ? Topics.GROUP_NAME.matcher(s).matches() : SUBJECT.matcher(s).matches());
      if (!ok) {
        problems.add(
            new ErrorResponse.Detail(
                field + "[" + i + "]",
                ErrorCodes.INVALID_INPUT,
                "invalid "
                    + (groups ? "worker group" : "pipeline")
                    + " name '"
                    + abbreviate(s)
                    + "'"));
      }
    }
    if (list.size() > 1000) {
      problems.add(
          new ErrorResponse.Detail(field, ErrorCodes.INVALID_INPUT, "at most 1000 entries"));
    }
    return list.stream().distinct().sorted().toList();
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
