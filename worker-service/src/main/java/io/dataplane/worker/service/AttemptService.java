package io.dataplane.worker.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.common.json.Json;
import io.dataplane.common.text.PgText;
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
import io.dataplane.worker.runner.LogPublisher;
import io.dataplane.worker.runner.ProcessRunner;
import io.dataplane.worker.runner.RunnerSettings;
import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import io.dataplane.worker.sandbox.SandboxProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
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
import java.util.regex.Pattern;

/**
 * Runs the attempts this worker has claimed, one per slot: bundle, secrets, process, logs and the
 * final AttemptFinished. Cancellation and shutdown kill the process group.
 */
@ApplicationScoped
public class AttemptService {

  /** How long the start-up check of bubblewrap may take (it needs a few milliseconds). */
  private static final Duration SANDBOX_PROBE_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Identity of an attempt (its fencing token). */
  public record AttemptKey(UUID taskRunId, int attempt) {}

  private final WorkerConfig config;
  private final EventProducer events;
  private final SecretsClient secrets;
  private final FilestoreClient filestore;
  private final MeterRegistry registry;
  private final Tracer tracer;
  private final Map<AttemptKey, Attempt> attempts = new ConcurrentHashMap<>();
  private final Deque<Integer> freeSlots = new ArrayDeque<>();
  private final AtomicInteger runningGauge = new AtomicInteger();
  private ExecutorService executor;
  private ProcessRunner runner;
  private BundleCache cache;
  private ResultSpool spool;
  private volatile SandboxMode mode;
  private volatile String sandboxProblem;
  private int slots;
  private boolean root;
  private volatile boolean draining;
  private final Instant startedAt = Instant.now();

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
    SandboxCommand command =
        new SandboxCommand(
            "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", config.bwrap());
    root = isRoot();
    WorkerConfig.Limits l = config.limits();
    SandboxCommand.Limits limits =
        new SandboxCommand.Limits(
            l.memoryBytes(), l.processes(), l.fileSizeBytes(), l.scratchBytes());
    SandboxProbe.Choice choice =
        SandboxProbe.choose(
            config.sandbox(),
            config.allowUnsandboxed(),
            command,
            () ->
                SandboxProbe.run(
                    command,
                    List.of(config.bash(), "-c", "exit 0"),
                    Path.of(config.workDir()),
                    root ? config.sandboxUidBase() : null,
                    limits,
                    SANDBOX_PROBE_TIMEOUT));
    mode = choice.mode();
    sandboxProblem = choice.problem();
    registry.gauge(
        "dataplane.worker.sandboxed",
        List.of(
            io.micrometer.core.instrument.Tag.of(
                "mode", mode == null ? "unavailable" : mode.name().toLowerCase(Locale.ROOT))),
        this,
        s -> s.mode() == SandboxMode.BWRAP ? 1 : 0);
    if (mode == null) {
      Log.errorf(
          "worker %s takes NO work: %s. Give the worker what bubblewrap needs (docs/worker.md,"
              + " \"The sandbox in Kubernetes\"), or set dataplane.worker.allow-unsandboxed=true"
              + " to run tasks without a sandbox",
          config.instanceId(), sandboxProblem);
      return;
    }
    if (mode == SandboxMode.NONE) {
      Log.warnf(
          "worker %s runs tasks WITHOUT a sandbox (%s): tasks run as the worker's user and can"
              + " read its files and environment",
          config.instanceId(),
          sandboxProblem == null ? "dataplane.worker.sandbox=none" : sandboxProblem);
    }
    int configured = config.slots().orElse(0);
    slots = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < slots; i++) {
      freeSlots.add(i);
    }
    runner =
        new ProcessRunner(
            new RunnerSettings(
                command,
                mode,
                limits,
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
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "dp-attempt");
              t.setDaemon(true);
              return t;
            });
    registry.gauge("dataplane.worker.attempts.running", runningGauge);
    registry.gauge("dataplane.worker.slots.free", this, s -> s.freeSlots());
    registry.gauge("dataplane.worker.bundle.cache.bytes", cache, BundleCache::bytes);
    registry.gauge("dataplane.worker.results.unacknowledged", spool, ResultSpool::size);
    registry
        .more()
        .counter("dataplane.worker.bundle.cache.hits", List.of(), cache, BundleCache::hits);
    registry
        .more()
        .counter("dataplane.worker.bundle.cache.misses", List.of(), cache, BundleCache::misses);
    registry
        .more()
        .counter(
            "dataplane.worker.bundle.download.bytes",
            List.of(),
            cache,
            BundleCache::downloadedBytes);
    Log.infof(
        "worker %s: groups %s, %d slots, sandbox %s%s",
        config.instanceId(),
        config.groups(),
        slots,
        mode.name().toLowerCase(Locale.ROOT),
        mode == SandboxMode.BWRAP && root ? " (uids from " + config.sandboxUidBase() + ")" : "");
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** BWRAP or NONE once started; null when the worker cannot run tasks (see the problem). */
  public SandboxMode mode() {
    return mode;
  }

  /** Why tasks run without a sandbox, or cannot run at all; null when the sandbox works. */
  public String sandboxProblem() {
    return sandboxProblem;
  }

  /** Whether the worker can run tasks (started, with a sandbox or explicitly without). */
  public boolean canRun() {
    return runner != null;
  }

  public int slots() {
    return slots;
  }

  public synchronized int freeSlots() {
    return freeSlots.size();
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

  /** Reserves a free slot before a claim; returns its number, or -1 when none is free. */
  public synchronized int reserveSlot() {
    if (draining || runner == null || freeSlots.isEmpty()) {
      return -1;
    }
    return freeSlots.poll();
  }

  /** Gives back a slot reserved for an attempt that was not claimed. */
  public synchronized void releaseSlot(int slot) {
    freeSlots.add(slot);
    notifyAll();
  }

  /** Waits until a slot is free and the worker takes work; false when {@code timeout} passed. */
  public synchronized boolean awaitFreeSlot(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (draining || freeSlots.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Starts a claimed attempt in the background, on the slot reserved for it. */
  public void accept(TaskDispatched d, Context parent, int slot) {
    AttemptKey key = new AttemptKey(d.taskRunId(), d.attempt());
    if (d.dispatchedAt() != null) {
      Duration wait = Duration.between(d.dispatchedAt(), Instant.now());
      if (!wait.isNegative()) {
        Timer.builder("dataplane.worker.queue.wait")
            .description("time from dispatch to the attempt being taken by a worker")
            .register(registry)
            .record(wait);
      }
    }
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
    synchronized (this) {
      freeSlots.add(a.slot);
      notifyAll();
    }
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
          Map<String, String> secretValues = resolveSecrets();
          redactor = Redactor.of(secretValues.values());
          AttemptSpec spec = spec(lease, secretValues, redactor, ctx);
          LogPublisher publisher = publisher(ctx);
          synchronized (this) {
            if (killOutcome != null) {
              result = new AttemptResult(killOutcome, null, null, killReason, 0, 0, false, 0);
              preStartLog(ctx, "attempt finished: " + killOutcome + ", " + killReason);
            } else {
              process = runner.start(spec, publisher);
              result = null;
            }
          }
          if (result == null) {
            events.send(
                Topics.TASK_EVENTS,
                d.runId().toString(),
                new AttemptStarted(
                    d.runId(),
                    d.taskRunId(),
                    d.attempt(),
                    config.instanceId(),
                    Instant.now(),
                    d.attemptToken()),
                ctx);
            result = process.result().get();
          }
        } catch (IOException | RuntimeException e) {
          String reason = e.getMessage() == null ? e.toString() : e.getMessage();
          result = new AttemptResult(AttemptOutcome.ERROR, null, null, reason, 0, 0, false, 0);
          preStartLog(ctx, "attempt could not start: " + reason);
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
        release(this);
        done.complete(null);
      }
    }

    private Map<String, String> resolveSecrets() throws IOException {
      List<String> declared = d.secrets() == null ? List.of() : d.secrets();
      if (declared.isEmpty()) {
        return Map.of();
      }
      if (d.attemptToken() == null) {
        throw new IOException(
            "the task declares secrets but the dispatch carries no attempt token");
      }
      Map<String, String> all =
          secrets.resolve(d.attemptToken(), d.environment(), declared, config.instanceId());
      Map<String, String> out = new HashMap<>();
      for (String name : declared) {
        String v = all.get(name);
        if (v == null) {
          throw new IOException("secret " + name + " was not resolved for this task");
        }
        out.put(name, v);
      }
      return out;
    }

    private AttemptSpec spec(
        BundleCache.Lease lease, Map<String, String> secretValues, Redactor redactor, Context ctx)
        throws JsonProcessingException {
      Map<String, String> env = new HashMap<>();
      if (d.env() != null) {
        d.env().forEach((k, v) -> putEnv(env, k, v));
      }
      Map<String, Object> params = d.params() == null ? Map.of() : d.params();
      for (Map.Entry<String, Object> p : params.entrySet()) {
        // both as written and upper-cased: DP_PARAM_day and DP_PARAM_DAY
        String name = "DP_PARAM_" + p.getKey().replaceAll("[^A-Za-z0-9_]", "_");
        Object v = p.getValue();
        String text = v instanceof String str ? str : Json.mapper().writeValueAsString(v);
        putEnv(env, name.toUpperCase(Locale.ROOT), text);
        putEnv(env, name, text);
      }
      env.put("DP_PARAMS", Json.mapper().writeValueAsString(params));
      secretValues.forEach((k, v) -> putEnv(env, k, v));
      env.put("DP_RUN_ID", String.valueOf(d.runId()));
      env.put("DP_TASK_RUN_ID", String.valueOf(d.taskRunId()));
      env.put("DP_TASK", String.valueOf(d.taskKey()));
      env.put("DP_ATTEMPT", String.valueOf(d.attempt()));
      env.put("DP_ENVIRONMENT", String.valueOf(d.environment()));
      env.put("DP_PIPELINE", String.valueOf(d.pipeline()));
      if (d.releaseId() != null) {
        env.put("DP_RELEASE_ID", d.releaseId());
      }
      String traceparent = KafkaTracing.traceparent(ctx);
      if (traceparent != null) {
        env.put("TRACEPARENT", traceparent);
      }
      Integer uid = mode == SandboxMode.BWRAP && root ? config.sandboxUidBase() + slot : null;
      return new AttemptSpec(
          d.taskKey() + "-" + d.attempt(),
          d.runtime(),
          d.script(),
          d.entrypoint(),
          lease == null ? null : lease.path(),
          env,
          d.inputs() == null ? Map.of() : d.inputs(),
          d.network(),
          d.timeoutMillis(),
          uid,
          redactor);
    }

    private void putEnv(Map<String, String> env, String name, String value) {
      if (name != null && value != null && ENV_NAME.matcher(name).matches()) {
        env.put(name, value);
      }
    }

    private LogPublisher publisher(Context ctx) {
      Counter bytes = registry.counter("dataplane.worker.log.bytes");
      return (lines0, last) -> {
        long n = 0;
        // NUL and unpaired surrogates cannot be stored by PostgreSQL: replaced before they leave
        List<LogChunk.Line> lines = new ArrayList<>(lines0.size());
        for (LogChunk.Line l : lines0) {
          String text = PgText.clean(l.text());
          n += text == null ? 0 : text.length();
          lines.add(text == l.text() ? l : new LogChunk.Line(l.seq(), l.ts(), l.stream(), text));
        }
        bytes.increment(n);
        events.send(
            Topics.TASK_LOGS,
            d.taskRunId().toString(),
            new LogChunk(d.runId(), d.taskRunId(), d.attempt(), lines, last),
            ctx);
      };
    }

    private void preStartLog(Context ctx, String text) {
      events.send(
          Topics.TASK_LOGS,
          d.taskRunId().toString(),
          new LogChunk(
              d.runId(),
              d.taskRunId(),
              d.attempt(),
              List.of(new LogChunk.Line(1, Instant.now(), "system", PgText.clean(text))),
              true),
          ctx);
    }

    private void finish(AttemptResult r, Redactor redactor, Context ctx) {
      // kept in the spool until Kafka acknowledged it; text PostgreSQL refuses is replaced
      spool.submit(
          EventEnvelope.of(
              EventProducer.SOURCE,
              new AttemptFinished(
                  d.runId(),
                  d.taskRunId(),
                  d.attempt(),
                  config.instanceId(),
                  r.outcome(),
                  r.exitCode(),
                  PgText.cleanValue(r.outputs()),
                  PgText.clean(r.error()),
                  r.durationMillis(),
                  Instant.now(),
                  d.attemptToken())),
          ctx);
      registry
          .counter("dataplane.worker.attempts.finished", "outcome", r.outcome().name())
          .increment();
      if (r.spawnNanos() > 0) {
        Timer.builder("dataplane.worker.spawn.latency")
            .description("time to start a task process")
            .register(registry)
            .record(r.spawnNanos(), TimeUnit.NANOSECONDS);
      }
      if (redactor.redactions() > 0) {
        registry.counter("dataplane.worker.log.redactions").increment(redactor.redactions());
      }
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
