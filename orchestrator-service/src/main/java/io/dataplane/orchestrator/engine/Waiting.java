package io.dataplane.orchestrator.engine;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.dag.PipelineDefinition.Concurrency;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Why a run or a task run is not running: the answer to "why is this waiting?", from facts the
 * engine already keeps (states, the current attempt, retry times, the worker group's workers, the
 * pipeline's concurrency). Null means it is not waiting (it runs, or it ended).
 */
public final class Waiting {

  private Waiting() {}

  /** The kinds of waiting, most pressing first (a run shows its most pressing task's). */
  public enum Kind {
    /** The run is QUEUED behind its pipeline's concurrency limit. */
    CONCURRENCY_LIMIT,
    /** No live worker serves the task's worker group. */
    NO_WORKER,
    /** Every slot of the group's workers is busy; the task has a place in the group's queue. */
    SLOTS_BUSY,
    /** Handed to the group's workers, which have room, and not claimed yet (in transit). */
    DISPATCHED,
    /** The task failed and waits for its retry's backoff. */
    RETRY_BACKOFF,
    /** The task waits for upstream tasks that have not finished. */
    UPSTREAM_RUNNING
  }

  /**
   * One reason.
   *
   * @param message a sentence for people
   * @param until when the wait ends by itself (retry backoff), else null
   * @param position 1-based place in the queue it waits in (runs of the pipeline, or dispatches of
   *     the worker group), else null
   * @param runs the runs that hold it (concurrency limit), else empty
   * @param tasks the tasks it waits for (upstream), or the waiting task a run's reason comes from
   * @param workerGroup the {@code environment/group} it waits on, else null
   */
  public record Reason(
      Kind kind,
      String message,
      Instant until,
      Integer position,
      List<String> runs,
      List<String> tasks,
      String workerGroup) {

    public Reason {
      Objects.requireNonNull(kind);
      runs = runs == null ? List.of() : List.copyOf(runs);
      tasks = tasks == null ? List.of() : List.copyOf(tasks);
    }
  }

  /**
   * The workers of a worker group as their heartbeats say.
   *
   * @param ref {@code environment/group}
   * @param registered workers that list the group, whatever their state
   * @param live ACTIVE, not draining, and able to run tasks (sandbox not unavailable)
   * @param slots slots of the live workers
   * @param freeSlots free slots of the live workers
   */
  public record Group(String ref, int registered, int live, int slots, int freeSlots) {

    /** A group no worker has ever listed. */
    public static Group empty(String ref) {
      return new Group(ref, 0, 0, 0, 0);
    }
  }

  /**
   * A task run's facts.
   *
   * @param attempt the state of its current attempt, null before the first dispatch
   * @param retryAt when its next retry is due, while waiting for one
   * @param unfinishedUpstream its direct upstream tasks that have not ended
   * @param queuePosition 1-based place of its DISPATCHED attempt among its group's, else null
   */
  public record Task(
      String key,
      TaskRunState state,
      AttemptState attempt,
      Instant retryAt,
      List<String> unfinishedUpstream,
      Integer queuePosition) {}

  /** Why a task run waits, or null. */
  public static Reason task(Task t, Group g) {
    if (t.state() == TaskRunState.PENDING) {
      if (t.unfinishedUpstream().isEmpty()) {
        return null; // its upstream just ended: it is being dispatched
      }
      return new Reason(
          Kind.UPSTREAM_RUNNING,
          "waits for upstream task(s) " + String.join(", ", t.unfinishedUpstream()),
          null,
          null,
          null,
          t.unfinishedUpstream(),
          null);
    }
    if (t.state() != TaskRunState.QUEUED) {
      return null; // RUNNING or ended
    }
    boolean active = t.attempt() != null && t.attempt().isActive();
    if (!active) {
      if (t.retryAt() == null) {
        return null;
      }
      return new Reason(
          Kind.RETRY_BACKOFF,
          "failed; its retry waits for the backoff until " + t.retryAt(),
          t.retryAt(),
          null,
          null,
          null,
          null);
    }
    if (t.attempt() != AttemptState.DISPATCHED) {
      return null; // claimed: its worker is starting it
    }
    if (g.live() == 0) {
      String why =
          g.registered() == 0
              ? "no worker serves worker group " + g.ref()
              : "no worker of worker group "
                  + g.ref()
                  + " can take work ("
                  + g.registered()
                  + " registered: lost, draining or without a sandbox)";
      return new Reason(Kind.NO_WORKER, why, null, t.queuePosition(), null, null, g.ref());
    }
    if (g.freeSlots() == 0) {
      return new Reason(
          Kind.SLOTS_BUSY,
          "all "
              + g.slots()
              + " slot(s) of the "
              + g.live()
              + " worker(s) of "
              + g.ref()
              + " are busy"
              + (t.queuePosition() == null ? "" : "; number " + t.queuePosition() + " in queue"),
          null,
          t.queuePosition(),
          null,
          null,
          g.ref());
    }
    return new Reason(
        Kind.DISPATCHED,
        "handed to the workers of "
            + g.ref()
            + " ("
            + g.freeSlots()
            + " free slot(s)), not taken yet",
        null,
        t.queuePosition(),
        null,
        null,
        g.ref());
  }

  /**
   * Why a run waits, or null.
   *
   * @param concurrency the pipeline's limit (null: none)
   * @param holders the pipeline's RUNNING runs, oldest first
   * @param queuePosition 1-based place among the pipeline's QUEUED runs
   * @param anyTaskRunning whether one of its tasks is RUNNING or claimed
   * @param tasks its waiting tasks' reasons, by task key
   */
  public static Reason run(
      RunState state,
      Concurrency concurrency,
      List<String> holders,
      long queuePosition,
      boolean anyTaskRunning,
      List<KeyedReason> tasks) {
    if (state == RunState.QUEUED) {
      if (concurrency == null) {
        return null; // admitted at once; it is starting
      }
      return new Reason(
          Kind.CONCURRENCY_LIMIT,
          "held by the pipeline's concurrency limit of "
              + concurrency.max()
              + " running run(s)"
              + (holders.isEmpty() ? "" : ": " + String.join(", ", holders))
              + "; number "
              + queuePosition
              + " in queue",
          null,
          (int) queuePosition,
          holders,
          null,
          null);
    }
    if (state != RunState.RUNNING || anyTaskRunning) {
      return null;
    }
    return tasks.stream()
        .min(
            Comparator.comparing((KeyedReason k) -> k.reason().kind())
                .thenComparing(KeyedReason::key))
        .map(
            k ->
                new Reason(
                    k.reason().kind(),
                    "task " + k.key() + ": " + k.reason().message(),
                    k.reason().until(),
                    k.reason().position(),
                    k.reason().runs(),
                    List.of(k.key()),
                    k.reason().workerGroup()))
        .orElse(null);
  }

  /** A task's reason with its key. */
  public record KeyedReason(String key, Reason reason) {}
}
