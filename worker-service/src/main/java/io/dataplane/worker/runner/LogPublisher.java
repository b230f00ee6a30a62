package io.dataplane.worker.runner;

import io.dataplane.common.events.LogChunk;
import java.util.List;

/** Receives an attempt's log lines in order; {@code last} is true exactly once, at the end. */
@FunctionalInterface
public interface LogPublisher {
  void publish(List<LogChunk.Line> lines, boolean last);
}
