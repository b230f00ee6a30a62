package io.dataplane.scheduler.service;

import io.dataplane.common.events.RunStateChanged;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.repository.TriggerRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pipeline completion triggers: a run of pipeline A ending (RunStateChanged on {@code
 * dataplane.run-events}) fires every enabled completion trigger of A's environment that watches A
 * and that end state. The event id is the upstream run's id: a run ends once, so a redelivered or
 * republished end never starts a second run. Templates see {@code upstream.runId}, {@code
 * upstream.pipeline}, {@code upstream.environment}, {@code upstream.state}, {@code upstream.params}
 * and {@code upstream.outputs.<taskKey>.<field>}.
 */
@ApplicationScoped
public class CompletionTriggers {

  private final TriggerRepository repository;
  private final TriggerFirer firer;
  private final RunLookup runs;

  public CompletionTriggers(TriggerRepository repository, TriggerFirer firer, RunLookup runs) {
    this.repository = repository;
    this.firer = firer;
    this.runs = runs;
  }

  public void onRun(RunStateChanged e) throws Exception {
    if (e.state() == null || !e.state().isTerminal()) {
      return;
    }
    List<Trigger> matching =
        repository.completionsOf(e.environment(), e.pipeline()).stream()
            .filter(t -> "ANY".equals(t.onState()) || e.state().name().equals(t.onState()))
            .toList();
    if (matching.isEmpty()) {
      return;
    }
    Optional<Map<String, Object>> run = runs.run(e.runId());
    Map<String, Object> upstream = new LinkedHashMap<>();
    upstream.put("runId", e.runId().toString());
    upstream.put("pipeline", e.pipeline());
    upstream.put("environment", e.environment());
    upstream.put("state", e.state().name());
    upstream.put("params", run.map(r -> r.get("params")).orElse(Map.of()));
    upstream.put("outputs", outputs(run));
    int depth = 1;
    Object requestId = run.map(r -> r.get("requestId")).orElse(null);
    if (requestId instanceof String rid && rid.startsWith("trigger:")) {
      depth = repository.fireByRequest(rid).map(f -> f.chainDepth() + 1).orElse(1);
    }
    Map<String, Object> context = Map.of("upstream", upstream);
    for (Trigger t : matching) {
      firer.fire(
          t,
          e.runId().toString(),
          context,
          Map.of(),
          "run " + e.runId() + " of " + e.pipeline() + " " + e.state(),
          depth);
    }
  }

  /** taskKey → the outputs its task wrote (tasks without outputs are absent). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> outputs(Optional<Map<String, Object>> run) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (run.isEmpty() || !(run.get().get("taskRuns") instanceof List<?> trs)) {
      return out;
    }
    for (Object o : trs) {
      if (o instanceof Map<?, ?> tr
          && tr.get("taskKey") instanceof String key
          && tr.get("outputs") instanceof Map<?, ?> outputs) {
        out.put(key, (Map<String, Object>) outputs);
      }
    }
    return out;
  }
}
