package io.dataplane.gateway.live;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which run a task run belongs to (from run events and fetched runs), so that a log
 * request naming only the task run can be authorized on the run's environment.
 */
@ApplicationScoped
public class TaskRunIndex {

  private static final int MAX = 100_000;

  private final Map<String, String> runOfTaskRun =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX;
        }
      };

  public synchronized void put(String taskRunId, String runId) {
    if (taskRunId != null && runId != null) {
      runOfTaskRun.put(taskRunId, runId);
    }
  }

  public synchronized String runOf(String taskRunId) {
    return runOfTaskRun.get(taskRunId);
  }
}
