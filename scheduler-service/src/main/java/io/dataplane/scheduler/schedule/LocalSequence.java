package io.dataplane.scheduler.schedule;

import java.time.LocalDateTime;
import java.util.Iterator;

/** The wall-clock (local) date-times a rule matches, in increasing order. */
public interface LocalSequence {

  /** The matching local date-times at or after {@code from}, increasing. */
  Iterator<LocalDateTime> from(LocalDateTime from);
}
