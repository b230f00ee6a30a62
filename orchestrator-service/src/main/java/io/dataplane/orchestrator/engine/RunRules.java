package io.dataplane.orchestrator.engine;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.dag.Dag;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a run, free of storage: which tasks are ready, which cannot run because an upstream
 * task failed, when the run is over and how it ended, and which transitions a task run may take.
 */
public final class RunRules {

  private static final Set<TaskRunState> BLOCKING =
      EnumSet.of(
          TaskRunState.FAILED,
          TaskRunState.UPSTREAM_FAILED,
          TaskRunState.CANCELLED,
          TaskRunState.SKIPPED);

  private RunRules() {}

  /** PENDING tasks whose dependencies all SUCCEEDED, in DAG order. */
  public static List<String> ready(Dag dag, Map<String, TaskRunState> states) {
    List<String> out = new ArrayList<>();
    for (String k : dag.keys()) {
      if (states.get(k) != TaskRunState.PENDING) {
        continue;
      }
      boolean ok = true;
      for (String d : dag.dependenciesOf(k)) {
        if (states.get(d) != TaskRunState.SUCCEEDED) {
          ok = false;
          break;
        }
      }
      if (ok) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * How many distinct dependencies of {@code key} have not succeeded when its task run is created
   * ({@code succeeded}: the tasks a rerun reuses). A task becomes ready when its count reaches 0:
   * each dependency that succeeds counts it down once, so a result touches only the task's
   * dependents instead of the whole run.
   */
  public static int unmetDependencies(Dag dag, String key, Set<String> succeeded) {
    return (int)
        dag.dependenciesOf(key).stream().distinct().filter(d -> !succeeded.contains(d)).count();
  }

  /** The distinct tasks that depend on {@code key}: the ones its success counts down. */
  public static List<String> countedDown(Dag dag, String key) {
    return dag.dependentsOf(key).stream().distinct().toList();
  }

  /**
   * Non-terminal tasks that can never run because a task they depend on (transitively) failed, was
   * cancelled or skipped; they become UPSTREAM_FAILED. Only PENDING tasks qualify.
   */
  public static List<String> upstreamFailed(Dag dag, Map<String, TaskRunState> states) {
    Map<String, TaskRunState> s = new LinkedHashMap<>(states);
    List<String> out = new ArrayList<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      for (String k : dag.keys()) {
        if (s.get(k) != TaskRunState.PENDING) {
          continue;
        }
        for (String d : dag.dependenciesOf(k)) {
          if (BLOCKING.contains(s.get(d))) {
            s.put(k, TaskRunState.UPSTREAM_FAILED);
            out.add(k);
            changed = true;
            break;
          }
        }
      }
    }
    return out;
  }

  /** How the run ended, or null while a task is not terminal. */
  public static RunState outcome(Map<String, TaskRunState> states) {
    boolean failed = false;
    boolean cancelled = false;
    for (TaskRunState s : states.values()) {
      if (!s.isTerminal()) {
        return null;
      }
      failed |= s == TaskRunState.FAILED || s == TaskRunState.UPSTREAM_FAILED;
      cancelled |= s == TaskRunState.CANCELLED;
    }
    if (failed) {
      return RunState.FAILED;
    }
    return cancelled ? RunState.CANCELLED : RunState.SUCCEEDED;
  }

  /** The error of a task that became UPSTREAM_FAILED: the dependencies that did not succeed. */
  public static String upstreamError(Dag dag, Map<String, TaskRunState> states, String key) {
    List<String> bad =
        dag.dependenciesOf(key).stream()
            .filter(d -> states.get(d) != TaskRunState.SUCCEEDED)
            .toList();
    return "upstream task(s) did not succeed: " + String.join(", ", bad);
  }

  /** The error of a run that ended {@code outcome}: its failed tasks, or null. */
  public static String outcomeError(RunState outcome, Map<String, TaskRunState> states) {
    if (outcome != RunState.FAILED) {
      return null;
    }
    List<String> failed =
        states.entrySet().stream()
            .filter(e -> e.getValue() == TaskRunState.FAILED)
            .map(Map.Entry::getKey)
            .toList();
    return "task(s) failed: " + String.join(", ", failed);
  }

  /** Why a run cannot be cancelled (it ended), or null. */
  public static String cancelRefusal(RunState state) {
    return state.isTerminal() ? "has ended already (" + state + ")" : null;
  }

  /** Why a run cannot be rerun, or null: only a run that ended without success is. */
  public static String rerunRefusal(RunState state) {
    if (!state.isTerminal()) {
      return "has not ended yet";
    }
    return state == RunState.SUCCEEDED ? "succeeded; there is nothing to rerun" : null;
  }

  /**
   * Whether a rerun reuses a task of the run it reruns (it succeeded there) instead of running it.
   */
  public static boolean reusedByRerun(TaskRunState previous) {
    return previous == TaskRunState.SUCCEEDED;
  }

  /** Whether a task run that waits for a retry is due for its next attempt now. */
  public static boolean retryDue(RunState run, TaskRunState task, java.time.Instant retryAt) {
    return run == RunState.RUNNING && task == TaskRunState.QUEUED && retryAt != null;
  }

  /** Whether a task run may move from one state to another. */
  public static boolean allowed(TaskRunState from, TaskRunState to) {
    if (from.isTerminal()) {
      return false;
    }
    return switch (to) {
      case PENDING -> false;
      case QUEUED -> true; // dispatch, retry or re-queue after a lost worker
      case RUNNING -> from == TaskRunState.QUEUED || from == TaskRunState.RUNNING;
      case SUCCEEDED, FAILED -> from == TaskRunState.QUEUED || from == TaskRunState.RUNNING;
      case UPSTREAM_FAILED, SKIPPED -> from == TaskRunState.PENDING;
      case CANCELLED -> true;
    };
  }

  /** Whether a run may move from one state to another. */
  public static boolean allowed(RunState from, RunState to) {
    if (from.isTerminal()) {
      return false;
    }
    return switch (to) {
      case QUEUED -> false;
      case RUNNING -> from == RunState.QUEUED;
      default -> true;
    };
  }
}
