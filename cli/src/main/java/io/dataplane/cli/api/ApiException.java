package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** The gateway refused a call: its error code ({@code NOT_FOUND}, {@code FORBIDDEN}, …) and why. */
public final class ApiException extends IOException {

  private final String code;
  private final JsonNode errors;

  public ApiException(String code, String message, JsonNode errors) {
    super(message);
    this.code = code;
    this.errors = errors;
  }

  /** The first error's code, or {@code HTTP_<status>}. */
  public String code() {
    return code;
  }

  public JsonNode errors() {
    return errors;
  }
}
