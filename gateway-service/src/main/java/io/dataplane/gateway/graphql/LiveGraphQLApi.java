package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.ORCHESTRATOR;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.TaskRunStateChanged;
import io.dataplane.common.events.WorkerHeartbeat;
import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.LogLine;
import io.dataplane.gateway.client.Dtos.LogPage;
import io.dataplane.gateway.client.OrchestratorClient;
import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.live.LiveAccess;
import io.dataplane.gateway.live.LiveEvents;
import io.dataplane.gateway.live.SubscriptionGuard;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.CurrentCaller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Live subscriptions, fed from Kafka by {@link LiveEvents}. */
@GraphQLApi
public class LiveGraphQLApi {

  private final CurrentCaller currentCaller;
  private final Guard guard;
  private final RunGraphQLApi runs;
  private final LiveEvents live;
  private final OrchestratorClient orchestrator;
  private final GatewayConfig config;
  private final LiveAccess access;

  public LiveGraphQLApi(
      CurrentCaller currentCaller,
      Guard guard,
      RunGraphQLApi runs,
      LiveEvents live,
      @RestClient OrchestratorClient orchestrator,
      GatewayConfig config,
      LiveAccess access) {
    this.currentCaller = currentCaller;
    this.guard = guard;
    this.runs = runs;
    this.live = live;
    this.orchestrator = orchestrator;
    this.config = config;
    this.access = access;
  }

  /**
   * Keeps an authorized subscription under its limits: ended (with the error) when a re-check of
   * {@code authorize} fails, at its lifetime or its token's expiry; refused when its caller has too
   * many open. False (and the emitter failed) when it was refused.
   */
  private boolean watch(
      Caller caller, Instant expiry, MultiEmitter<?> em, Consumer<Caller> authorize) {
    SubscriptionGuard.Handle h;
    try {
      h =
          access.open(
              caller,
              expiry,
              authorize,
              why -> {
                if (why == null) {
                  em.complete();
                } else {
                  em.fail(why);
                }
              });
    } catch (RuntimeException e) {
      em.fail(e);
      return false;
    }
    em.onTermination(h::close);
    return true;
  }

  /** Starts a subscription's stream for its caller (who may have a credential expiry). */
  @FunctionalInterface
  private interface Starter<T> {
    void start(Caller caller, Instant expiry, MultiEmitter<? super T> em);
  }

  /**
   * A subscription of the current caller, started on a worker thread: authorizing it may call a
   * service.
   */
  private <T> Multi<T> subscription(Starter<T> starter) {
    Caller caller = currentCaller.get();
    Instant expiry = currentCaller.credentialExpiry().orElse(null);
    Executor worker = Infrastructure.getDefaultWorkerPool();
    return Multi.createFrom()
        .<T>emitter(em -> starter.start(caller, expiry, em))
        .runSubscriptionOn(worker);
  }

  /**
   * Authorizes a subscription ({@code authorize}'s error ends it), keeps it under its limits with
   * {@link #watch} (which re-checks {@code authorize}), then registers the listener that feeds it
   * ({@code listen} answers what stops it). False when it ended before listening.
   */
  private boolean listen(
      Caller caller,
      Instant expiry,
      MultiEmitter<?> em,
      Consumer<Caller> authorize,
      Supplier<Runnable> listen) {
    try {
      authorize.accept(caller);
    } catch (RuntimeException e) {
      em.fail(e);
      return false;
    }
    if (!watch(caller, expiry, em, authorize)) {
      return false;
    }
    em.onTermination(listen.get());
    return true;
  }

  @Subscription("runUpdates")
  @Description("State changes of a run and its task runs, in order, as they happen")
  public Multi<RunUpdate> runUpdates(@NonNull String runId) {
    return this.<RunUpdate>subscription(
        (caller, expiry, em) ->
            listen(
                caller,
                expiry,
                em,
                now -> authorizeRun(now, runId),
                () ->
                    live.onRun(
                        runId,
                        event -> {
                          RunUpdate u = RunUpdate.of(event);
                          if (u != null) {
                            em.emit(u);
                          }
                        })));
  }

  @Subscription("logTail")
  @Description(
      "A task run's log: the stored lines first, then live lines as workers send them, with no"
          + " gap and no duplicate")
  public Multi<LogLine> logTail(
      @NonNull String taskRunId,
      @Description("the run of the task run (needed when the gateway does not know it)")
          String runId) {
    return subscription(
        (caller, expiry, em) -> new LogTail(caller, expiry, taskRunId, runId, em).start());
  }

  @Subscription("workerStats")
  @Description(
      "Heartbeats of the workers of an environment's worker groups (admins may omit the"
          + " environment to see every worker)")
  public Multi<WorkerStats> workerStats(String environment) {
    return this.<WorkerStats>subscription(
        (caller, expiry, em) -> {
          AtomicReference<Set<String>> visible = new AtomicReference<>();
          // a re-check also refreshes which groups may be watched
          listen(
              caller,
              expiry,
              em,
              now -> visible.set(visibleGroups(now, environment)),
              () ->
                  live.onHeartbeat(
                      hb -> {
                        Set<String> groups = visible.get();
                        if (groups == null
                            || (hb.groups() != null
                                && hb.groups().stream().anyMatch(groups::contains))) {
                          em.emit(WorkerStats.of(hb));
                        }
                      }));
        });
  }

  private void authorizeRun(Caller caller, String runId) {
    guard.access().requireSignedIn(caller);
    runs.visibleRun(caller, runId, "runUpdates");
  }

  /** Worker groups the caller may watch, as environment/group; null: all. */
  private Set<String> visibleGroups(Caller caller, String environment) {
    guard.access().requireSignedIn(caller);
    if (environment == null) {
      guard.access().requireAdmin(caller, "workerStats");
      return null;
    }
    Inputs.check().name("environment", environment).orFail();
    guard.access().require(caller, Permission.READ, environment, null, null, "workerStats");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.workerGroups(environment)).stream()
        .map(g -> environment + "/" + g.name())
        .collect(Collectors.toSet());
  }

  /**
   * One logTail subscription: live chunks are buffered while the stored lines are read, then
   * drained; every line is emitted once, in sequence order per attempt. A live line that skips
   * ahead (the orchestrator had not stored the lines in between yet, or a chunk was missed) is
   * preceded by a fetch of the missing lines.
   */
  private final class LogTail {
    private final Caller caller;
    private final Instant expiry;
    private final String taskRunId;
    private final String runId;
    private final MultiEmitter<? super LogLine> em;
    private final Map<Integer, Long> lastSeq = new HashMap<>();
    private final List<LogChunk> buffer = new ArrayList<>();
    private boolean caughtUp;

    LogTail(
        Caller caller,
        Instant expiry,
        String taskRunId,
        String runId,
        MultiEmitter<? super LogLine> em) {
      this.caller = caller;
      this.expiry = expiry;
      this.taskRunId = taskRunId;
      this.runId = runId;
      this.em = em;
    }

    void start() {
      try {
        Inputs.check()
            .required("taskRunId", taskRunId)
            .maxLength("taskRunId", taskRunId, 100)
            .orFail();
        guard.access().requireSignedIn(caller);
      } catch (RuntimeException e) {
        em.fail(e);
        return;
      }
      if (!listen(
          caller,
          expiry,
          em,
          now -> runs.authorizeTaskRun(now, taskRunId, runId, "logTail"),
          () -> live.onLogs(taskRunId, this::onChunk))) {
        return;
      }
      try {
        fetchStored(null, 0L);
      } catch (RuntimeException e) {
        em.fail(e);
        return;
      }
      synchronized (this) {
        for (LogChunk c : buffer) {
          emitChunk(c);
        }
        buffer.clear();
        caughtUp = true;
      }
    }

    private void onChunk(LogChunk chunk) {
      synchronized (this) {
        if (!caughtUp) {
          buffer.add(chunk);
          return;
        }
        emitChunk(chunk);
      }
    }

    private void emitChunk(LogChunk chunk) {
      if (chunk.lines() == null) {
        return;
      }
      for (LogChunk.Line l : chunk.lines()) {
        long last = lastSeq.getOrDefault(chunk.attempt(), 0L);
        if (l.seq() <= last) {
          continue;
        }
        if (l.seq() > last + 1) {
          fetchStored(chunk.attempt(), last);
          last = lastSeq.getOrDefault(chunk.attempt(), 0L);
          if (l.seq() <= last) {
            continue;
          }
        }
        emit(new LogLine(l.seq(), l.ts(), l.stream(), l.text(), chunk.attempt()));
      }
    }

    /** Reads stored lines after {@code afterSeq} (of one attempt, or of all) and emits them. */
    private void fetchStored(Integer attempt, long afterSeq) {
      long after = afterSeq;
      int pageSize = config.live().logPageSize();
      for (int page = 0; page < 10_000; page++) {
        long from = after;
        LogPage p =
            Backends.call(
                ORCHESTRATOR, () -> orchestrator.logs(taskRunId, attempt, from, pageSize));
        if (p == null || p.lines() == null || p.lines().isEmpty()) {
          return;
        }
        for (LogLine l : p.lines()) {
          long last = lastSeq.getOrDefault(l.attempt(), 0L);
          if (l.seq() > last) {
            emit(l);
          }
          after = Math.max(after, l.seq());
        }
        if (p.complete() || p.lines().size() < pageSize) {
          return;
        }
        if (p.nextSeq() != null && p.nextSeq() > after) {
          after = p.nextSeq();
        }
      }
    }

    private void emit(LogLine l) {
      lastSeq.merge(l.attempt(), l.seq(), Math::max);
      em.emit(l);
    }
  }

  /** A change of a run's or a task run's state. */
  @Type("RunUpdate")
  public record RunUpdate(
      @Description("RUN or TASK_RUN") String kind,
      String runId,
      String taskRunId,
      String taskKey,
      Integer attempt,
      String state,
      String previous,
      String error) {

    static RunUpdate of(Event event) {
      if (event instanceof RunStateChanged e) {
        return new RunUpdate(
            "RUN",
            String.valueOf(e.runId()),
            null,
            null,
            null,
            e.state() == null ? null : e.state().name(),
            e.previous() == null ? null : e.previous().name(),
            null);
      }
      if (event instanceof TaskRunStateChanged e) {
        return new RunUpdate(
            "TASK_RUN",
            String.valueOf(e.runId()),
            String.valueOf(e.taskRunId()),
            e.taskKey(),
            e.attempt(),
            e.state() == null ? null : e.state().name(),
            e.previous() == null ? null : e.previous().name(),
            e.error());
      }
      return null;
    }
  }

  /** One worker heartbeat. */
  @Type("WorkerStats")
  public record WorkerStats(
      String workerId,
      List<String> groups,
      double cpuLoad,
      long memoryUsedBytes,
      long memoryTotalBytes,
      double systemLoad,
      int slots,
      int freeSlots,
      int running,
      boolean draining,
      Instant at) {

    static WorkerStats of(WorkerHeartbeat hb) {
      return new WorkerStats(
          hb.workerId(),
          hb.groups(),
          hb.cpuLoad(),
          hb.memoryUsedBytes(),
          hb.memoryTotalBytes(),
          hb.systemLoad(),
          hb.slots(),
          hb.freeSlots(),
          hb.running() == null ? 0 : hb.running().size(),
          hb.draining(),
          Instant.now());
    }
  }
}
