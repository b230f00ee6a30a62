package io.dataplane.common.error;

import java.util.List;

/**
 * The error body every service returns: a stable machine-readable {@code code}, a message for
 * people and, for input errors, one detail per problem with the path of the offending field.
 */
public record ErrorResponse(String code, String message, List<Detail> details) {

  public ErrorResponse {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static ErrorResponse of(String code, String message) {
    return new ErrorResponse(code, message, List.of());
  }

  /** One problem: where ({@code path}, e.g. {@code tasks[2].dependsOn[0]}), what and why. */
  public record Detail(String path, String code, String message) {}
}
