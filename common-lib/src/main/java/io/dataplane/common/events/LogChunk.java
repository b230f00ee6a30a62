package io.dataplane.common.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Lines of one attempt's output, already redacted by the worker. Sequence numbers are per attempt,
 * start at 1 and have no gaps, so a reader can tell a missing chunk from a quiet task.
 *
 * @param last true on the attempt's final chunk
 */
public record LogChunk(UUID runId, UUID taskRunId, int attempt, List<Line> lines, boolean last)
    implements Event {

  /** One line of output. {@code stream} is {@code stdout}, {@code stderr} or {@code system}. */
  public record Line(long seq, Instant ts, String stream, String text) {}
}
