package io.dataplane.orchestrator.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The size cap on one run's stored task logs: lines are kept while the run's stored bytes stay
 * within the cap; once it is reached, further lines are dropped and counted, and one marker line
 * (always the same row, rewritten) says how much was dropped.
 */
public final class LogCap {

  /** The seq of the marker line: after every line an attempt can have, within JSON's safe ints. */
  public static final long MARKER_SEQ = 2_147_483_647L;

  private LogCap() {}

  /** What to do with a chunk's new lines. */
  public record Decision(
      List<Integer> keep, long keptBytes, long droppedLines, long droppedBytes) {}

  /** Bytes a line counts for: its text in UTF-8. */
  public static long bytes(String text) {
    return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Which of {@code lineBytes} (in order) are kept by a run that has stored {@code storedBytes}
   * under a cap of {@code maxBytes} (0 or less: no cap). Once one line does not fit, none after it
   * is kept either: the stored log is a prefix, never a log with holes.
   */
  public static Decision decide(long storedBytes, long maxBytes, List<Long> lineBytes) {
    List<Integer> keep = new ArrayList<>();
    long kept = 0;
    long droppedLines = 0;
    long droppedBytes = 0;
    boolean full = maxBytes > 0 && storedBytes >= maxBytes;
    for (int i = 0; i < lineBytes.size(); i++) {
      long b = lineBytes.get(i);
      if (!full && (maxBytes <= 0 || storedBytes + kept + b <= maxBytes)) {
        keep.add(i);
        kept += b;
      } else {
        full = true;
        droppedLines++;
        droppedBytes += b;
      }
    }
    return new Decision(keep, kept, droppedLines, droppedBytes);
  }

  /** The marker's text. */
  public static String marker(long maxBytes, long droppedLines, long droppedBytes) {
    return "[dataplane] this run's logs reached their cap of "
        + maxBytes
        + " bytes: "
        + droppedLines
        + (droppedLines == 1 ? " line" : " lines")
        + " ("
        + droppedBytes
        + " bytes) dropped";
  }
}
