package io.dataplane.secrets;

import java.util.List;

/** Who may resolve a secret: tasks of these pipelines, or tasks running in these worker groups. */
public record SecretGrants(List<String> pipelines, List<String> workerGroups) {

  public SecretGrants {
    pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
    workerGroups = workerGroups == null ? List.of() : List.copyOf(workerGroups);
  }

  public static SecretGrants none() {
    return new SecretGrants(List.of(), List.of());
  }

  /** Whether an attempt of {@code pipeline} running in {@code workerGroup} may read. */
  public boolean allows(String pipeline, String workerGroup) {
    return (pipeline != null && pipelines.contains(pipeline))
        || (workerGroup != null && workerGroups.contains(workerGroup));
  }
}
