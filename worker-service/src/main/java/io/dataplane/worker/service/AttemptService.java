package io.dataplane.worker.service;

import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.common.tracing.KafkaTracing;
import io.dataplane.worker.bundle.BundleCache;
import io.dataplane.worker.client.FilestoreClient;
import io.dataplane.worker.client.SecretsClient;
import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.messaging.EventProducer;
import io.dataplane.worker.messaging.ResultSpool;
import io.dataplane.worker.redact.Redactor;
import io.dataplane.worker.runner.AttemptResult;
import io.dataplane.worker.runner.AttemptSpec;
import io.dataplane.worker.runner.ProcessRunner;
import io.dataplane.worker.runner.RunnerSettings;
import io.dataplane.worker.sandbox.SandboxMode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the attempts this worker has claimed, one per slot: bundle, secrets, process, logs and the
 * final AttemptFinished. Cancellation and shutdown kill the process. The parts with rules of their
 * own live apart: {@link Slots}, {@link SandboxSetup}, {@link TaskSecrets}, {@link
 * TaskEnvironment}, {@link AttemptEvents}, {@link WorkerMetrics}; this class wires them and keeps
 * the attempts running now.
 */
@ApplicationScoped
public class AttemptService {

  /** Identity of an attempt (its fencing token). */
  public record AttemptKey(UUID taskRunId, int attempt) {}

  private final WorkerConfig config;
  private final EventProducer events;
  private final SecretsClient secrets;
  private final FilestoreClient filestore;
  private final MeterRegistry registry;
  private final Tracer tracer;
  private final Map<AttemptKey, Attempt> attempts = new ConcurrentHashMap<>();
  private final AtomicInteger runningGauge = new AtomicInteger();
  private final Instant startedAt = Instant.now();
  private ExecutorService executor;
  private ProcessRunner runner;
  private BundleCache cache;
  private ResultSpool spool;
  private WorkerMetrics metrics;
  private AttemptEvents attemptEvents;
  private volatile SandboxSetup sandbox;
  private volatile Slots slots;
  private volatile boolean draining;

  public AttemptService(
      WorkerConfig config,
      EventProducer events,
      SecretsClient secrets,
      FilestoreClient filestore,
      MeterRegistry registry,
      Tracer tracer) {
    this.config = config;
    this.events = events;
    this.secrets = secrets;
    this.filestore = filestore;
    this.registry = registry;
    this.tracer = tracer;
  }

  /**
   * Resolves the sandbox, prepares the work and cache directories. A worker whose sandbox cannot
   * start (and that may not run tasks without one) keeps {@link #mode()} null and says why in
   * {@link #sandboxProblem()}: it is not ready and takes no work.
   */
  public synchronized void start() throws IOException {
    if (runner != null) {
      return;
    }
    SandboxSetup s = SandboxSetup.resolve(config);
    sandbox = s;
    metrics = new WorkerMetrics(registry);
    metrics.gauge(
        "dataplane.worker.sandboxed",
        Tag.of("mode", s.mode() == null ? "unavailable" : s.mode().name().toLowerCase(Locale.ROOT)),
        this,
        w -> w.mode() == SandboxMode.BWRAP ? 1 : 0);
    if (s.mode() == null) {
      Log.errorf(
          "worker %s takes NO work: %s. Give the worker what bubblewrap needs (docs/worker.md,"
              + " \"The sandbox in Kubernetes\"), or set dataplane.worker.allow-unsandboxed=true"
              + " to run tasks without a sandbox",
          config.instanceId(), s.problem());
      return;
    }
    if (s.mode() == SandboxMode.NONE) {
      Log.warnf(
          "worker %s runs tasks WITHOUT a sandbox (%s): tasks run as the worker's user and can"
              + " read its files and environment",
          config.instanceId(), s.problem() == null ? "dataplane.worker.sandbox=none" : s.problem());
    }
    slots =
        new Slots(
            Slots.count(config.slots().orElse(0), Runtime.getRuntime().availableProcessors()));
    runner =
        new ProcessRunner(
            new RunnerSettings(
                s.command(),
                s.mode(),
                s.limits(),
                Path.of(config.workDir()),
                config.bash(),
                config.python(),
                config.logLimitBytes(),
                config.maxOutputBytes(),
                config.logFlushInterval().toMillis()));
    cache =
        new BundleCache(
            Path.of(config.cache().dir()),
            config.cache().maxBytes(),
            config.cache().maxBundleBytes(),
            filestore);
    spool =
        new ResultSpool(
            // one directory per worker instance: workers of one host never send each other's
            Path.of(config.spool().dir())
                .resolve(config.instanceId().replaceAll("[^A-Za-z0-9._-]", "_")),
            events::sendEncoded,
            config.spool().retryInterval());
    spool.start();
    attemptEvents = new AttemptEvents(events, spool, config.instanceId(), metrics.logBytes());
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "dp-attempt");
              t.setDaemon(true);
              return t;
            });
    metrics.gauge("dataplane.worker.attempts.running", runningGauge, AtomicInteger::get);
    metrics.gauge("dataplane.worker.slots.free", this, AttemptService::freeSlots);
    metrics.gauge("dataplane.worker.bundle.cache.bytes", cache, BundleCache::bytes);
    metrics.gauge("dataplane.worker.results.unacknowledged", spool, ResultSpool::size);
    metrics.counter("dataplane.worker.bundle.cache.hits", cache, BundleCache::hits);
    metrics.counter("dataplane.worker.bundle.cache.misses", cache, BundleCache::misses);
    metrics.counter("dataplane.worker.bundle.download.bytes", cache, BundleCache::downloadedBytes);
    Log.infof(
        "worker %s: groups %s, %d slots, sandbox %s%s",
        config.instanceId(),
        config.groups(),
        slots.size(),
        s.mode().name().toLowerCase(Locale.ROOT),
        s.mode() == SandboxMode.BWRAP && s.root()
            ? " (uids from " + config.sandboxUidBase() + ")"
            : "");
  }

  /** BWRAP or NONE once started; null when the worker cannot run tasks (see the problem). */
  public SandboxMode mode() {
    SandboxSetup s = sandbox;
    return s == null ? null : s.mode();
  }

  /** Why tasks run without a sandbox, or cannot run at all; null when the sandbox works. */
  public String sandboxProblem() {
    SandboxSetup s = sandbox;
    return s == null ? null : s.problem();
  }

  /** Whether the worker can run tasks (started, with a sandbox or explicitly without). */
  public boolean canRun() {
    return runner != null;
  }

  public int slots() {
    Slots s = slots;
    return s == null ? 0 : s.size();
  }

  public int freeSlots() {
    Slots s = slots;
    return s == null ? 0 : s.free();
  }

  public boolean draining() {
    return draining;
  }

  public boolean isRunning(UUID taskRunId, int attempt) {
    return attempts.containsKey(new AttemptKey(taskRunId, attempt));
  }

  /**
   * The attempts held now, for the heartbeat: those running and those whose result Kafka has not
   * acknowledged yet (the orchestrator re-queues an attempt a live worker stops reporting).
   */
  public List<WorkerHeartbeat.RunningAttempt> running() {
    List<WorkerHeartbeat.RunningAttempt> out = new ArrayList<>();
    Set<AttemptKey> seen = new HashSet<>();
    for (Attempt a : attempts.values()) {
      seen.add(new AttemptKey(a.d.taskRunId(), a.d.attempt()));
      out.add(new WorkerHeartbeat.RunningAttempt(a.d.runId(), a.d.taskRunId(), a.d.attempt()));
    }
    if (spool != null) {
      for (WorkerHeartbeat.RunningAttempt r : spool.pending()) {
        if (seen.add(new AttemptKey(r.taskRunId(), r.attempt()))) {
          out.add(r);
        }
      }
    }
    return out;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /**
   * Reserves a slot, waiting up to {@code timeout} for one; -1 when none came or the worker cannot
   * run tasks or drains.
   */
  public int reserveSlot(Duration timeout) throws InterruptedException {
    Slots s = slots;
    return runner == null || s == null ? -1 : s.reserve(timeout);
  }

  /** Gives back a slot reserved for an attempt that was not claimed. */
  public void releaseSlot(int slot) {
    slots.release(slot);
  }

  /** Waits until a slot is free and the worker takes work; false when {@code timeout} passed. */
  public boolean awaitFreeSlot(Duration timeout) throws InterruptedException {
    Slots s = slots;
    if (s == null) {
      TimeUnit.NANOSECONDS.sleep(timeout.toNanos()); // not started: no slot will come
      return false;
    }
    return s.awaitFree(timeout);
  }

  /** Starts a claimed attempt in the background, on the slot reserved for it. */
  public void accept(TaskDispatched d, Context parent, int slot) {
    AttemptKey key = new AttemptKey(d.taskRunId(), d.attempt());
    metrics.taken(d.dispatchedAt(), Instant.now());
    Attempt a = new Attempt(d, slot, parent == null ? Context.root() : parent);
    if (attempts.putIfAbsent(key, a) != null) {
      releaseSlot(slot); // held already (a redelivery raced with the first)
      return;
    }
    runningGauge.incrementAndGet();
    executor.submit(a::run);
  }

  /** Handles a CancelAttempt addressed to this worker. */
  public void cancel(CancelAttempt c) {
    Attempt a = attempts.get(new AttemptKey(c.taskRunId(), c.attempt()));
    if (a == null) {
      Log.debugf("cancel of %s/%d: not running here", c.taskRunId(), c.attempt());
      return;
    }
    String reason = c.reason() == null || c.reason().isBlank() ? "cancelled" : c.reason();
    a.kill(AttemptOutcome.CANCELLED, reason);
  }

  /** Stops taking work, waits for the running attempts, then interrupts what is left. */
  public void drain(Duration grace) {
    draining = true;
    Slots s = slots;
    if (s != null) {
      s.drain();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    waitUntilIdle(deadline);
    List<Attempt> left = new ArrayList<>(attempts.values());
    if (!left.isEmpty()) {
      Log.infof("interrupting %d attempt(s) still running after the grace period", left.size());
      for (Attempt a : left) {
        a.kill(AttemptOutcome.INTERRUPTED, "the worker shut down before the attempt finished");
      }
      waitUntilIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
  }

  private void waitUntilIdle(long deadlineNanos) {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (Attempt a : attempts.values()) {
      pending.add(a.done);
    }
    long remaining = deadlineNanos - System.nanoTime();
    if (pending.isEmpty() || remaining <= 0) {
      return;
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(remaining, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // timed out: the caller decides
    }
  }

  public void close() {
    if (spool != null) {
      spool.close();
    }
    if (runner != null) {
      runner.close();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private void release(Attempt a) {
    attempts.remove(new AttemptKey(a.d.taskRunId(), a.d.attempt()));
    runningGauge.decrementAndGet();
    slots.release(a.slot);
  }

  /** One attempt on this worker. */
  private final class Attempt {
    final TaskDispatched d;
    final int slot;
    final Context parent;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private ProcessRunner.RunningProcess process;
    private AttemptOutcome killOutcome;
    private String killReason;
    private Span span;

    Attempt(TaskDispatched d, int slot, Context parent) {
      this.d = d;
      this.slot = slot;
      this.parent = parent;
    }

    synchronized void kill(AttemptOutcome outcome, String reason) {
      if (killOutcome == null) {
        killOutcome = outcome;
        killReason = reason;
      }
      if (process != null) {
        process.kill(outcome, reason);
      }
    }

    void run() {
      span =
          tracer
              .spanBuilder("attempt " + d.taskKey())
              .setParent(parent)
              .setSpanKind(SpanKind.CONSUMER)
              .setAttribute("dataplane.run_id", String.valueOf(d.runId()))
              .setAttribute("dataplane.task_run_id", String.valueOf(d.taskRunId()))
              .setAttribute("dataplane.attempt", d.attempt())
              .startSpan();
      Context ctx = parent.with(span);
      BundleCache.Lease lease = null;
      try {
        AttemptResult result;
        Redactor redactor = Redactor.none();
        try {
          if (d.bundleDigest() != null && !d.bundleDigest().isBlank()) {
            lease = cache.acquire(d.bundleDigest());
          }
          Map<String, String> secretValues =
              TaskSecrets.resolve(
                  d,
                  (token, environment, names) ->
                      secrets.resolve(token, environment, names, config.instanceId()));
          redactor = Redactor.of(secretValues.values());
          AttemptSpec spec = spec(lease, secretValues, redactor, ctx);
          synchronized (this) {
            if (killOutcome != null) {
              result = new AttemptResult(killOutcome, null, null, killReason, 0, 0, false, 0);
              attemptEvents.systemLine(
                  d, ctx, "attempt finished: " + killOutcome + ", " + killReason);
            } else {
              process = runner.start(spec, attemptEvents.logs(d, ctx));
              result = null;
            }
          }
          if (result == null) {
            attemptEvents.started(d, ctx);
            result = process.result().get();
          }
        } catch (IOException | RuntimeException e) {
          String reason = e.getMessage() == null ? e.toString() : e.getMessage();
          result = new AttemptResult(AttemptOutcome.ERROR, null, null, reason, 0, 0, false, 0);
          attemptEvents.systemLine(d, ctx, "attempt could not start: " + reason);
        }
        finish(result, redactor, ctx);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finish(
            new AttemptResult(
                AttemptOutcome.INTERRUPTED, null, null, "worker interrupted", 0, 0, false, 0),
            Redactor.none(),
            ctx);
      } catch (Exception e) {
        Log.errorf(e, "attempt %s/%d failed in the worker", d.taskRunId(), d.attempt());
        finish(
            new AttemptResult(
                AttemptOutcome.ERROR, null, null, "worker error: " + e, 0, 0, false, 0),
            Redactor.none(),
            ctx);
      } finally {
        if (lease != null) {
          lease.close();
        }
        span.end();
        try {
          release(this);
        } finally {
          done.complete(null);
        }
      }
    }

    private AttemptSpec spec(
        BundleCache.Lease lease, Map<String, String> secretValues, Redactor redactor, Context ctx)
        throws IOException {
      return new AttemptSpec(
          d.taskKey() + "-" + d.attempt(),
          d.runtime(),
          d.script(),
          d.entrypoint(),
          lease == null ? null : lease.path(),
          TaskEnvironment.of(d, secretValues, KafkaTracing.traceparent(ctx)),
          d.inputs() == null ? Map.of() : d.inputs(),
          d.network(),
          d.timeoutMillis(),
          sandbox.uid(config.sandboxUidBase(), slot),
          redactor);
    }

    private void finish(AttemptResult r, Redactor redactor, Context ctx) {
      attemptEvents.finished(d, r, ctx);
      metrics.finished(r.outcome(), r.spawnNanos(), redactor.redactions());
      if (r.outcome() != AttemptOutcome.SUCCEEDED) {
        span.setStatus(StatusCode.ERROR, r.outcome().name());
      }
      Log.infof(
          "attempt %s/%d (%s) finished: %s%s",
          d.taskRunId(),
          d.attempt(),
          d.taskKey(),
          r.outcome(),
          r.error() == null ? "" : " (" + r.error() + ")");
    }
  }
}
