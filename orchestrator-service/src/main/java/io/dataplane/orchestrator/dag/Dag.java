package io.dataplane.orchestrator.dag;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Graph operations on a task graph given as key → keys it depends on. */
public final class Dag {

  private final Map<String, List<String>> deps;
  private final Map<String, List<String>> dependents;

  private Dag(Map<String, List<String>> deps) {
    this.deps = deps;
    this.dependents = new HashMap<>();
    deps.keySet().forEach(k -> dependents.put(k, new ArrayList<>()));
    deps.forEach(
        (k, ds) -> ds.forEach(d -> dependents.computeIfAbsent(d, x -> new ArrayList<>()).add(k)));
  }

  public static Dag of(PipelineDefinition def) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    def.tasks().forEach(t -> m.put(t.key(), t.dependsOn()));
    return new Dag(m);
  }

  public static Dag of(Map<String, List<String>> deps) {
    return new Dag(new LinkedHashMap<>(deps));
  }

  public Set<String> keys() {
    return deps.keySet();
  }

  public List<String> dependenciesOf(String key) {
    return deps.getOrDefault(key, List.of());
  }

  public List<String> dependentsOf(String key) {
    return dependents.getOrDefault(key, List.of());
  }

  /** Every task downstream of {@code key}, transitively. */
  public Set<String> descendants(String key) {
    Set<String> out = new LinkedHashSet<>();
    List<String> stack = new ArrayList<>(dependentsOf(key));
    while (!stack.isEmpty()) {
      String k = stack.remove(stack.size() - 1);
      if (out.add(k)) {
        stack.addAll(dependentsOf(k));
      }
    }
    return out;
  }

  /**
   * The cycles of a graph, each named as a closed path {@code [a, b, c, a]} (a depends on b, b on
   * c, c on a). Each strongly connected part with a cycle is named once.
   */
  public static List<List<String>> cycles(Map<String, List<String>> graph) {
    List<List<String>> out = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // 1 on stack, 2 done
    Set<String> inReportedCycle = new HashSet<>();
    for (String start : graph.keySet()) {
      if (state.containsKey(start)) {
        continue;
      }
      // iterative DFS keeping the path
      List<String> path = new ArrayList<>();
      List<Integer> next = new ArrayList<>();
      path.add(start);
      next.add(0);
      state.put(start, 1);
      while (!path.isEmpty()) {
        String node = path.get(path.size() - 1);
        int i = next.get(next.size() - 1);
        List<String> ds = graph.getOrDefault(node, List.of());
        if (i < ds.size()) {
          next.set(next.size() - 1, i + 1);
          String d = ds.get(i);
          Integer s = state.get(d);
          if (s == null) {
            if (graph.containsKey(d)) {
              state.put(d, 1);
              path.add(d);
              next.add(0);
            }
          } else if (s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(d), path.size()));
            if (cycle.stream().noneMatch(inReportedCycle::contains)) {
              inReportedCycle.addAll(cycle);
              cycle.add(d);
              out.add(cycle);
            }
          }
        } else {
          state.put(node, 2);
          path.remove(path.size() - 1);
          next.remove(next.size() - 1);
        }
      }
    }
    return out;
  }
}
