package io.dataplane.scheduler.schedule;

/** What a schedule does with fires missed while no scheduler was running (or it was far behind). */
public enum MisfirePolicy {
  /** Fire every missed time, up to the schedule's cap (the most recent ones). */
  ALL,
  /** Fire only the most recent missed time. */
  LAST,
  /** Fire none of the missed times; carry on with the next one. */
  NONE
}
