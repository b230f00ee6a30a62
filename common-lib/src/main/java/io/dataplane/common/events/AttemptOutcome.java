package io.dataplane.common.events;

/** How one attempt ended, as its worker saw it. */
public enum AttemptOutcome {
  /** The process exited 0 and its output, if any, was valid. */
  SUCCEEDED,
  /** The process exited non-zero, or its output was invalid. */
  FAILED,
  /** The wall-clock timeout killed the process group. */
  TIMED_OUT,
  /** A CancelAttempt killed the process group. */
  CANCELLED,
  /** The worker shut down before the attempt finished; the attempt is re-queued, no retry used. */
  INTERRUPTED,
  /** The worker could not start the process (bundle, secrets, sandbox). */
  ERROR
}
