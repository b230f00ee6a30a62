package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.secrets.SecretRead;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Keyset paging of audit records: the cursor is the id of the last record of a page. */
final class Paging {

  /** Response header with the cursor of the next page, absent on the last one. */
  static final String NEXT_CURSOR = "X-Next-Cursor";

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private Paging() {}

  static int limit(Integer limit) {
    if (limit == null) {
      return DEFAULT_LIMIT;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw DataplaneException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
    }
    return limit;
  }

  static Long cursor(String cursor) {
    if (cursor == null || cursor.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw DataplaneException.invalid("cursor", "invalid cursor");
    }
  }

  static Response page(List<SecretRead> items, int limit) {
    Response.ResponseBuilder r = Response.ok(items);
    if (items.size() == limit) {
      r.header(NEXT_CURSOR, String.valueOf(items.get(items.size() - 1).id()));
    }
    return r.build();
  }
}
