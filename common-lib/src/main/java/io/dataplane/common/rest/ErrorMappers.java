package io.dataplane.common.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns every failure of a REST call into the common error model with the right status. Services
 * pick these up from common-lib's index; a stack trace never reaches a caller.
 */
public final class ErrorMappers {

  private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

  private ErrorMappers() {}

  static Response respond(int status, ErrorResponse body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }

  /** Dataplane's own errors carry their code and details. */
  @Provider
  public static final class DataplaneExceptionMapper
      implements ExceptionMapper<DataplaneException> {
    @Override
    public Response toResponse(DataplaneException e) {
      return respond(e.httpStatus(), e.toResponse());
    }
  }

  /** Bean Validation failures: one detail per violated constraint, with the property path. */
  @Provider
  public static final class ValidationMapper
      implements ExceptionMapper<ConstraintViolationException> {
    @Override
    public Response toResponse(ConstraintViolationException e) {
      List<ErrorResponse.Detail> details =
          e.getConstraintViolations().stream()
              .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
              .map(ValidationMapper::detail)
              .toList();
      return respond(400, DataplaneException.invalid(details).toResponse());
    }

    private static ErrorResponse.Detail detail(ConstraintViolation<?> v) {
      String path = v.getPropertyPath().toString();
      // "create.arg0.name" → "name": the method and parameter prefix means nothing to a caller
      String[] parts = path.split("\\.");
      String field =
          parts.length > 2 ? String.join(".", List.of(parts).subList(2, parts.length)) : path;
      return new ErrorResponse.Detail(field, ErrorCodes.INVALID_INPUT, v.getMessage());
    }
  }

  /** A body that is not valid JSON, or JSON of the wrong shape. */
  @Provider
  public static final class JsonMapper implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      return respond(
          400,
          DataplaneException.invalid("body", "the request body is not valid JSON" + where)
              .toResponse());
    }
  }

  /** Framework errors (unknown path, wrong method, unsupported media type) keep their status. */
  @Provider
  public static final class WebApplicationMapper
      implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse().getStatus();
      String code =
          switch (status) {
            case 400 -> ErrorCodes.INVALID_INPUT;
            case 401 -> ErrorCodes.UNAUTHENTICATED;
            case 403 -> ErrorCodes.FORBIDDEN;
            case 404 -> ErrorCodes.NOT_FOUND;
            case 409 -> ErrorCodes.CONFLICT;
            case 413 -> ErrorCodes.TOO_LARGE;
            case 429 -> ErrorCodes.RATE_LIMITED;
            case 503 -> ErrorCodes.UNAVAILABLE;
            default -> status < 500 ? "HTTP_" + status : ErrorCodes.INTERNAL;
          };
      String message = status < 500 && e.getMessage() != null ? e.getMessage() : "HTTP " + status;
      Response.ResponseBuilder b = Response.fromResponse(e.getResponse());
      return b.type(MediaType.APPLICATION_JSON_TYPE)
          .entity(ErrorResponse.of(code, message))
          .build();
    }
  }

  /** Anything else is a bug: logged with an id, answered with that id and nothing internal. */
  @Provider
  public static final class UnexpectedMapper implements ExceptionMapper<Throwable> {
    @Override
    public Response toResponse(Throwable e) {
      String id = UUID.randomUUID().toString();
      LOG.log(Level.SEVERE, "unexpected error " + id, e);
      return respond(500, ErrorResponse.of(ErrorCodes.INTERNAL, "internal error; reference " + id));
    }
  }
}
