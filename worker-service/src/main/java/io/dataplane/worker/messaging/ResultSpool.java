package io.dataplane.worker.messaging;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps every AttemptFinished until Kafka acknowledged it: the encoded event is written to a file
 * of its own in the spool directory before it is sent, and the file is deleted only once the broker
 * acknowledged the send. A send that fails (Kafka was down longer than the producer's delivery
 * timeout) is sent again every {@code retryEvery}; files left by a worker that stopped or crashed
 * are sent again at its next start. The event keeps its eventId, so a result sent twice is applied
 * once. Until then the worker keeps reporting the attempt in its heartbeats ({@link #pending}), so
 * the orchestrator does not re-queue an attempt whose result is only late.
 */
public final class ResultSpool implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ResultSpool.class.getName());
  private static final EventCodec CODEC = new EventCodec();
  private static final String SUFFIX = ".json";

  /** Sends an encoded event; {@code done} gets null once acknowledged, or the failure. */
  @FunctionalInterface
  public interface Sender {
    void send(String topic, String key, byte[] value, Context trace, Consumer<Exception> done);
  }

  private record Entry(AttemptFinished result, byte[] bytes, Path file, AtomicBoolean inFlight) {}

  private final Path dir;
  private final Sender sender;
  private final Duration retryEvery;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;

  public ResultSpool(Path dir, Sender sender, Duration retryEvery) {
    this.dir = dir;
    this.sender = sender;
    this.retryEvery = retryEvery;
  }

  /** Reads what a previous run of the worker left, sends it, and starts the periodic re-send. */
  public synchronized void start() throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        load(f);
      }
    }
    if (!entries.isEmpty()) {
      LOG.info(entries.size() + " unacknowledged result(s) found in " + dir + "; sending them");
    }
    resend();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dp-result-spool");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, retryEvery.toMillis());
    timer.scheduleWithFixedDelay(this::resend, every, every, TimeUnit.MILLISECONDS);
  }

  private void load(Path f) {
    try {
      byte[] bytes = Files.readAllBytes(f);
      if (CODEC.decode(bytes).payload() instanceof AttemptFinished r) {
        entries.put(name(r), new Entry(r, bytes, f, new AtomicBoolean()));
        return;
      }
      throw new IOException("not an AttemptFinished");
    } catch (IOException | RuntimeException e) {
      // a torn or foreign file must not stop the spool: kept aside for a look, never sent
      LOG.warning("spool file " + f + " is unreadable (" + e + "); renamed to .bad");
      try {
        Files.move(
            f, f.resolveSibling(f.getFileName() + ".bad"), StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException ignored) {
        // left as it is
      }
    }
  }

  /** Spools a result and sends it. */
  public void submit(EventEnvelope<AttemptFinished> envelope, Context trace) {
    byte[] bytes = CODEC.encode(envelope);
    String name = name(envelope.payload());
    Path file = dir.resolve(name + SUFFIX);
    try {
      Path tmp = dir.resolve(name + ".tmp");
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // the spool cannot be written (disk full): the result is still kept in memory and re-sent
      LOG.log(Level.WARNING, "cannot spool the result of " + name + "; kept in memory only", e);
      file = null;
    }
    Entry entry = new Entry(envelope.payload(), bytes, file, new AtomicBoolean());
    entries.put(name, entry);
    send(name, entry, trace);
  }

  /** Sends every result not acknowledged yet and not in flight; returns how many were sent. */
  public int resend() {
    int n = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (send(e.getKey(), e.getValue(), null)) {
        n++;
      }
    }
    return n;
  }

  private boolean send(String name, Entry entry, Context trace) {
    if (!entry.inFlight().compareAndSet(false, true)) {
      return false;
    }
    sender.send(
        Topics.TASK_EVENTS,
        String.valueOf(entry.result().runId()),
        entry.bytes(),
        trace,
        error -> {
          if (error == null) {
            acknowledged(name, entry);
          } else {
            LOG.warning(
                "result of "
                    + name
                    + " not acknowledged ("
                    + error
                    + "); kept in the spool and sent again in "
                    + retryEvery);
          }
          entry.inFlight().set(false);
        });
    return true;
  }

  private void acknowledged(String name, Entry entry) {
    entries.remove(name, entry);
    if (entry.file() != null) {
      try {
        Files.deleteIfExists(entry.file());
      } catch (IOException e) {
        LOG.warning("cannot delete spool file " + entry.file() + ": " + e);
      }
    }
  }

  /** The attempts whose result is not acknowledged yet (reported in heartbeats). */
  public List<WorkerHeartbeat.RunningAttempt> pending() {
    List<WorkerHeartbeat.RunningAttempt> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(
          new WorkerHeartbeat.RunningAttempt(
              e.result().runId(), e.result().taskRunId(), e.result().attempt()));
    }
    return out;
  }

  /** How many results wait for an acknowledgement. */
  public int size() {
    return entries.size();
  }

  private static String name(AttemptFinished r) {
    return r.taskRunId() + "-" + r.attempt();
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
