package io.dataplane.worker.runner;

import io.dataplane.common.events.LogChunk;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of one attempt: numbered from 1 without gaps, capped at a byte limit after which a
 * marker line is written and further task output is dropped. System lines (the final status) are
 * always kept. Thread-safe.
 */
public final class AttemptLog {

  /** Longest line kept in one piece; longer lines are cut into several. */
  public static final int MAX_LINE_CHARS = 16 * 1024;

  /** Largest chunk handed to the publisher, in bytes of text. */
  public static final int MAX_CHUNK_BYTES = 256 * 1024;

  private final long limitBytes;
  private final List<LogChunk.Line> pending = new ArrayList<>();
  private long seq;
  private long bytes;
  private long droppedBytes;
  private boolean truncated;

  public AttemptLog(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** Appends one line of task output ({@code stdout} or {@code stderr}). */
  public synchronized void append(String stream, String text) {
    for (int start = 0; start < text.length() || start == 0; start += MAX_LINE_CHARS) {
      String piece = text.substring(start, Math.min(text.length(), start + MAX_LINE_CHARS));
      long size = piece.getBytes(StandardCharsets.UTF_8).length + 1L;
      if (truncated) {
        droppedBytes += size;
      } else if (limitBytes > 0 && bytes + size > limitBytes) {
        truncated = true;
        droppedBytes += size;
        add(
            "system",
            "[log truncated: the limit of "
                + limitBytes
                + " bytes per attempt was reached; further output is dropped]");
      } else {
        bytes += size;
        add(stream, piece);
      }
      if (text.isEmpty()) {
        break;
      }
    }
  }

  /** Appends a line of the worker's own (never dropped). */
  public synchronized void system(String text) {
    add("system", text);
  }

  private void add(String stream, String text) {
    pending.add(new LogChunk.Line(++seq, Instant.now(), stream, text));
  }

  /** Takes the lines not yet handed out, in chunks of at most {@link #MAX_CHUNK_BYTES}. */
  public synchronized List<List<LogChunk.Line>> drain() {
    List<List<LogChunk.Line>> chunks = new ArrayList<>();
    List<LogChunk.Line> current = new ArrayList<>();
    long size = 0;
    for (LogChunk.Line line : pending) {
      long lineSize = line.text().length() * 3L + 64;
      if (!current.isEmpty() && size + lineSize > MAX_CHUNK_BYTES) {
        chunks.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(line);
      size += lineSize;
    }
    if (!current.isEmpty()) {
      chunks.add(current);
    }
    pending.clear();
    return chunks;
  }

  /** Bytes of task output kept. */
  public synchronized long bytes() {
    return bytes;
  }

  public synchronized boolean truncated() {
    return truncated;
  }

  public synchronized long droppedBytes() {
    return droppedBytes;
  }

  /** The last sequence number given. */
  public synchronized long lastSeq() {
    return seq;
  }
}
