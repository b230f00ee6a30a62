package io.dataplane.scheduler.schedule;

/** A schedule definition is invalid; {@link #field()} names the offending input field. */
public final class InvalidScheduleException extends RuntimeException {

  private final String field;

  public InvalidScheduleException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
