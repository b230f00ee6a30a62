package io.dataplane.scheduler.trigger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The loop guard of completion triggers. Within an environment, each completion trigger is an edge
 * upstream → pipeline ("when a run of upstream ends, start pipeline"). A trigger that would close a
 * cycle (A starts B starts A, or A starts A) is refused when it is created or changed: a loop would
 * start runs forever. Plain Java.
 */
public final class TriggerGraph {

  /** One completion trigger as an edge. */
  public record Edge(String upstream, String pipeline) {}

  private TriggerGraph() {}

  /**
   * The cycle {@code added} would close among {@code existing}, as the pipelines in order (first ==
   * last), or empty when there is none.
   */
  public static Optional<List<String>> cycle(Collection<Edge> existing, Edge added) {
    Map<String, List<String>> next = new HashMap<>();
    for (Edge e : existing) {
      next.computeIfAbsent(e.upstream(), k -> new ArrayList<>()).add(e.pipeline());
    }
    // a path from added.pipeline back to added.upstream closes the loop
    Map<String, String> parent = new HashMap<>();
    Deque<String> todo = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    todo.add(added.pipeline());
    seen.add(added.pipeline());
    while (!todo.isEmpty()) {
      String p = todo.poll();
      if (p.equals(added.upstream())) {
        List<String> path = new ArrayList<>();
        for (String at = p; at != null; at = parent.get(at)) {
          path.add(0, at);
        }
        path.add(0, added.upstream());
        return Optional.of(path);
      }
      for (String n : next.getOrDefault(p, List.of())) {
        if (seen.add(n)) {
          parent.put(n, p);
          todo.add(n);
        }
      }
    }
    return Optional.empty();
  }
}
