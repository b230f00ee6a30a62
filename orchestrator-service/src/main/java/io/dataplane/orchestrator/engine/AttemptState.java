package io.dataplane.orchestrator.engine;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of one attempt and the only place that says which moves between them are allowed.
 *
 * <pre>
 * DISPATCHED ─claim→ CLAIMED ─start→ RUNNING ─result→ SUCCEEDED | FAILED | TIMED_OUT | ERROR
 *     │                 │               │              | INTERRUPTED
 *     └────────────── any active ───────┴─→ CANCELLED | TIMED_OUT | LOST | FAILED (undeliverable)
 * </pre>
 *
 * A start may arrive before its claim is seen (DISPATCHED → RUNNING) and twice (RUNNING → RUNNING);
 * an ended attempt never moves again.
 */
public enum AttemptState {
  DISPATCHED,
  CLAIMED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  CANCELLED,
  ERROR,
  INTERRUPTED,
  LOST;

  private static final Set<AttemptState> ACTIVE = EnumSet.of(DISPATCHED, CLAIMED, RUNNING);

  /** Whether the attempt may still run (it holds its task run's slot). */
  public boolean isActive() {
    return ACTIVE.contains(this);
  }

  /** Whether the attempt may move from this state to {@code to}. */
  public boolean allows(AttemptState to) {
    return switch (this) {
      case DISPATCHED -> to != DISPATCHED;
      case CLAIMED -> to != DISPATCHED && to != CLAIMED;
      case RUNNING -> to != DISPATCHED && to != CLAIMED;
      default -> false;
    };
  }

  /**
   * Returns {@code to} when the move is allowed, else throws: every state change of an attempt goes
   * through here before it is written.
   */
  public AttemptState moveTo(AttemptState to) {
    if (!allows(to)) {
      throw new IllegalStateException("an attempt cannot move from " + this + " to " + to);
    }
    return to;
  }
}
