package io.dataplane.gateway.client;

import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.common.json.Json;
import io.dataplane.gateway.error.ApiError;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/**
 * Turns a service's error answer into an error for the caller: 4xx keep their code and details (the
 * caller's input or rights were wrong); 5xx become {@link ServiceFailure}, which counts against the
 * circuit breaker and reaches the caller as UNAVAILABLE.
 */
public class ServiceErrorMapper implements ResponseExceptionMapper<RuntimeException> {

  @Override
  public RuntimeException toThrowable(Response response) {
    int status = response.getStatus();
    ErrorResponse body = null;
    try {
      if (response.hasEntity()) {
        response.bufferEntity();
        String text = response.readEntity(String.class);
        if (text != null && text.startsWith("{")) {
          body = Json.mapper().readValue(text, ErrorResponse.class);
        }
      }
    } catch (Exception e) {
      body = null;
    }
    if (status >= 500) {
      return new ServiceFailure(
          "service answered " + status + (body == null ? "" : ": " + body.message()));
    }
    if (body != null && body.code() != null) {
      return ApiError.of(body.code(), body.message(), body.details());
    }
    String code =
        switch (status) {
          case 400, 422 -> ErrorCodes.INVALID_INPUT;
          case 401 -> ErrorCodes.UNAUTHENTICATED;
          case 403 -> ErrorCodes.FORBIDDEN;
          case 404 -> ErrorCodes.NOT_FOUND;
          case 409 -> ErrorCodes.CONFLICT;
          case 413 -> ErrorCodes.TOO_LARGE;
          case 429 -> ErrorCodes.RATE_LIMITED;
          default -> ErrorCodes.INTERNAL;
        };
    return ApiError.of(code, "service answered " + status, java.util.List.of());
  }

  @Override
  public boolean handles(int status, jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
    return status >= 400;
  }

  /** A service failed (5xx): not the caller's fault. */
  public static final class ServiceFailure extends RuntimeException {
    public ServiceFailure(String message) {
      super(message);
    }
  }
}
