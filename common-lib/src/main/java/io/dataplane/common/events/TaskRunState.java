package io.dataplane.common.events;

/**
 * The state of a task run: {@code PENDING → QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED |
 * SKIPPED | UPSTREAM_FAILED}.
 */
public enum TaskRunState {
  PENDING,
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  SKIPPED,
  UPSTREAM_FAILED;

  public boolean isTerminal() {
    return switch (this) {
      case PENDING, QUEUED, RUNNING -> false;
      default -> true;
    };
  }
}
