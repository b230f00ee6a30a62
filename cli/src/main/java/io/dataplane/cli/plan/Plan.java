package io.dataplane.cli.plan;

import java.util.List;
import java.util.Map;

/**
 * A saved plan: what to change in one environment of one server, and the remote state it was
 * computed against (a digest of the whole and one per object, to name what drifted).
 *
 * @param format the plan file's format version
 * @param releases pipelines to release after the changes (changed definition or files, or a draft
 *     never released)
 */
public record Plan(
    int format,
    String server,
    String environment,
    String createdAt,
    String remoteDigest,
    Map<String, String> remoteObjects,
    List<Change> changes,
    List<String> releases) {

  public static final int FORMAT = 1;

  public boolean isEmpty() {
    return changes.isEmpty() && releases.isEmpty();
  }

  public List<Change> deletes() {
    return changes.stream().filter(c -> c.action() == Change.Action.DELETE).toList();
  }
}
