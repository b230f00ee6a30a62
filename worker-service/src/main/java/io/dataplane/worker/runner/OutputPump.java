package io.dataplane.worker.runner;

import io.dataplane.worker.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Reads one output stream of a task process, redacts it while streaming and cuts it into lines. A
 * partial line (no newline yet) is emitted by {@link #flushPartial(long)} once it is old enough, so
 * output without newlines still reaches the log within the flush interval.
 */
final class OutputPump implements Runnable {

  private final String stream;
  private final InputStream in;
  private final Redactor.Stream redactor;
  private final AttemptLog log;
  private final StringBuilder partial = new StringBuilder();
  private long partialSince;
  private volatile boolean done;

  OutputPump(String stream, InputStream in, Redactor redactor, AttemptLog log) {
    this.stream = stream;
    this.in = in;
    this.redactor = redactor.stream();
    this.log = log;
  }

  @Override
  public void run() {
    char[] buf = new char[8192];
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      int n;
      while ((n = reader.read(buf)) >= 0) {
        if (n > 0) {
          accept(new String(buf, 0, n));
        }
      }
    } catch (IOException e) {
      // the stream was closed under us (process killed, worker stopping): end of output
    } finally {
      finish();
    }
  }

  private synchronized void accept(String text) {
    String safe = redactor.feed(text);
    int start = 0;
    for (int i = 0; i < safe.length(); i++) {
      if (safe.charAt(i) == '\n') {
        partial.append(safe, start, i);
        emitPartial();
        start = i + 1;
      }
    }
    if (start < safe.length()) {
      if (partial.length() == 0) {
        partialSince = System.nanoTime();
      }
      partial.append(safe, start, safe.length());
    }
  }

  private void emitPartial() {
    int len = partial.length();
    if (len > 0 && partial.charAt(len - 1) == '\r') {
      partial.setLength(len - 1);
    }
    log.append(stream, partial.toString());
    partial.setLength(0);
  }

  /** Emits a partial line that has waited at least {@code minAgeNanos}. */
  synchronized void flushPartial(long minAgeNanos) {
    if (partial.length() > 0 && System.nanoTime() - partialSince >= minAgeNanos) {
      emitPartial();
    }
  }

  private synchronized void finish() {
    String rest = redactor.flush();
    partial.append(rest);
    if (partial.length() > 0) {
      emitPartial();
    }
    done = true;
  }

  boolean done() {
    return done;
  }
}
