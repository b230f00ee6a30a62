package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.secrets.SecretRead;
import java.util.List;

/** Keyset paging of audit records: the cursor is the id of the last record of a page. */
final class Paging {

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

  static SecretResource.AuditPage page(List<SecretRead> items, int limit) {
    String next = items.size() == limit ? String.valueOf(items.get(items.size() - 1).id()) : null;
    return new SecretResource.AuditPage(items, next);
  }
}
