package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.events.RunState;
import io.dataplane.common.events.TaskRunState;
import io.dataplane.orchestrator.dag.Dag;
import io.dataplane.orchestrator.dag.PipelineDefinition.Retries;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunRulesTest {

  // diamond: a -> (b, c) -> d, plus e after d
  private final Dag dag =
      Dag.of(
          new LinkedHashMap<>(
              Map.of(
                  "a", List.of(),
                  "b", List.of("a"),
                  "c", List.of("a"),
                  "d", List.of("b", "c"),
                  "e", List.of("d"))));

  private static Map<String, TaskRunState> states(Object... kv) {
    Map<String, TaskRunState> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (TaskRunState) kv[i + 1]);
    }
    return m;
  }

  @Test
  void readyWhenEveryDependencySucceeded() {
    var p = TaskRunState.PENDING;
    var ok = TaskRunState.SUCCEEDED;
    assertThat(RunRules.ready(dag, states("a", p, "b", p, "c", p, "d", p, "e", p)))
        .containsExactly("a");
    assertThat(
            RunRules.ready(
                dag, states("a", ok, "b", ok, "c", TaskRunState.RUNNING, "d", p, "e", p)))
        .isEmpty();
    assertThat(RunRules.ready(dag, states("a", ok, "b", ok, "c", ok, "d", p, "e", p)))
        .containsExactly("d");
  }

  @Test
  void countingDependenciesDownReadiesWhatTheFullScanReadies() {
    // random DAGs (each task depends on some earlier ones, a duplicate now and then), some tasks
    // reused as by a rerun; tasks succeed one at a time in a random order that respects the DAG
    java.util.Random random = new java.util.Random(16);
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(30);
      Map<String, List<String>> deps = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        List<String> ds = new java.util.ArrayList<>();
        for (int j = 0; j < i; j++) {
          if (random.nextInt(4) == 0) {
            ds.add("t" + j);
            if (random.nextInt(10) == 0) {
              ds.add("t" + j);
            }
          }
        }
        deps.put("t" + i, ds);
      }
      Dag g = Dag.of(deps);
      java.util.Set<String> reused = new java.util.HashSet<>();
      Map<String, TaskRunState> s = new LinkedHashMap<>();
      for (String k : g.keys()) {
        boolean reuse =
            random.nextInt(3) == 0 && g.dependenciesOf(k).stream().allMatch(reused::contains);
        if (reuse) {
          reused.add(k);
        }
        s.put(k, reuse ? TaskRunState.SUCCEEDED : TaskRunState.PENDING);
      }
      Map<String, Integer> unmet = new LinkedHashMap<>();
      for (String k : g.keys()) {
        unmet.put(k, RunRules.unmetDependencies(g, k, reused));
      }
      List<String> ready = new java.util.ArrayList<>(RunRules.ready(g, s));
      assertThat(ready)
          .containsExactlyInAnyOrderElementsOf(
              g.keys().stream()
                  .filter(k -> s.get(k) == TaskRunState.PENDING && unmet.get(k) == 0)
                  .toList());
      while (!ready.isEmpty()) {
        String done = ready.remove(random.nextInt(ready.size()));
        s.put(done, TaskRunState.SUCCEEDED);
        for (String d : RunRules.countedDown(g, done)) {
          unmet.merge(d, -1, Integer::sum);
          if (unmet.get(d) == 0) {
            ready.add(d);
          }
        }
        assertThat(ready)
            .as("round %d after %s", round, done)
            .containsExactlyInAnyOrderElementsOf(
                RunRules.ready(g, s).stream()
                    .filter(k -> s.get(k) == TaskRunState.PENDING)
                    .toList());
        ready.forEach(k -> assertThat(unmet.get(k)).isZero());
      }
      assertThat(s.values()).allMatch(x -> x == TaskRunState.SUCCEEDED);
      assertThat(unmet.values()).allMatch(x -> x >= 0);
    }
  }

  @Test
  void upstreamFailurePropagatesTransitively() {
    var p = TaskRunState.PENDING;
    var s =
        states(
            "a",
            TaskRunState.SUCCEEDED,
            "b",
            TaskRunState.FAILED,
            "c",
            TaskRunState.RUNNING,
            "d",
            p,
            "e",
            p);
    assertThat(RunRules.upstreamFailed(dag, s)).containsExactlyInAnyOrder("d", "e");
  }

  @Test
  void outcome() {
    assertThat(RunRules.outcome(states("a", TaskRunState.SUCCEEDED, "b", TaskRunState.RUNNING)))
        .isNull();
    assertThat(RunRules.outcome(states("a", TaskRunState.SUCCEEDED))).isEqualTo(RunState.SUCCEEDED);
    assertThat(
            RunRules.outcome(states("a", TaskRunState.FAILED, "b", TaskRunState.UPSTREAM_FAILED)))
        .isEqualTo(RunState.FAILED);
    assertThat(RunRules.outcome(states("a", TaskRunState.CANCELLED, "b", TaskRunState.SUCCEEDED)))
        .isEqualTo(RunState.CANCELLED);
  }

  @Test
  void transitions() {
    assertThat(RunRules.allowed(TaskRunState.SUCCEEDED, TaskRunState.FAILED)).isFalse();
    assertThat(RunRules.allowed(TaskRunState.PENDING, TaskRunState.QUEUED)).isTrue();
    assertThat(RunRules.allowed(TaskRunState.PENDING, TaskRunState.SUCCEEDED)).isFalse();
    assertThat(RunRules.allowed(TaskRunState.RUNNING, TaskRunState.UPSTREAM_FAILED)).isFalse();
    assertThat(RunRules.allowed(RunState.QUEUED, RunState.RUNNING)).isTrue();
    assertThat(RunRules.allowed(RunState.FAILED, RunState.RUNNING)).isFalse();
  }

  @Test
  void backoff() {
    Retries fixed = new Retries(3, "fixed", "PT1S", "PT10S", 0);
    assertThat(Backoff.delay(fixed, 3, 0.5)).isEqualTo(Duration.ofSeconds(1));
    Retries exp = new Retries(5, "exponential", "PT1S", "PT5S", 0);
    assertThat(Backoff.delay(exp, 1, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(Backoff.delay(exp, 3, 0.5)).isEqualTo(Duration.ofSeconds(4));
    assertThat(Backoff.delay(exp, 4, 0.5)).isEqualTo(Duration.ofSeconds(5));
    Retries jit = new Retries(5, "fixed", "PT10S", "PT1M", 0.5);
    assertThat(Backoff.delay(jit, 1, 0.0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(Backoff.delay(jit, 1, 0.999))
        .isBetween(Duration.ofMillis(14_900), Duration.ofSeconds(15));
  }
}
