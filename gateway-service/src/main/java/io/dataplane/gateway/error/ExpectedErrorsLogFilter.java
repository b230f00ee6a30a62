package io.dataplane.gateway.error;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps the errors callers cause (refused, invalid, not found: {@link ApiError}) out of the error
 * log; SmallRye GraphQL logs every field error at ERROR level. Unexpected failures still show.
 */
@LoggingFilter(name = "graphql-expected-errors")
public final class ExpectedErrorsLogFilter implements Filter {

  private static final String MARKER = "SRGQL012000";
  private static final String API_ERROR = ApiError.class.getName() + "$";

  @Override
  public boolean isLoggable(LogRecord record) {
    String text =
        record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    if (text == null || !text.contains(MARKER)) {
      return true;
    }
    if (record.getThrown() instanceof ApiError) {
      return false;
    }
    return !text.contains(API_ERROR);
  }
}
