package io.dataplane.scheduler.rest;

import io.dataplane.common.error.DataplaneException;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Path and query parameters read into the error model, and answers shared by the resources. */
final class Rest {

  private Rest() {}

  /** The id in a path; one that is not a UUID is not found, like an unknown one. */
  static UUID id(String what, String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw DataplaneException.notFound(what + " " + id);
    }
  }

  /** An optional UUID filter; null when absent or blank. */
  static UUID optionalId(String field, String id) {
    if (id == null || id.isBlank()) {
      return null;
    }
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid(field, field + " must be a UUID");
    }
  }

  /** An optional ISO-8601 instant; null when absent or blank. */
  static Instant instant(String field, String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw DataplaneException.invalid(field, field + " must be an ISO-8601 instant");
    }
  }

  /** A list length: 50 when absent, else brought into 1..500. */
  static int limit(Integer limit) {
    return limit == null ? 50 : Math.max(1, Math.min(500, limit));
  }

  /** 201 with the new resource's location and body. */
  static Response created(String location, Object body) {
    return Response.created(URI.create(location)).entity(body).build();
  }
}
