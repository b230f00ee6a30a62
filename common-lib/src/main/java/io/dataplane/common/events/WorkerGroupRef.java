package io.dataplane.common.events;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A worker group of one environment, written {@code environment/group} ({@code prod/etl}): the unit
 * a worker serves and a dispatch topic belongs to. A bare group name does not say which
 * environment's tasks the worker may run, so it is refused.
 */
public record WorkerGroupRef(String environment, String group) {

  public WorkerGroupRef {
    if (environment == null || !Topics.GROUP_NAME.matcher(environment).matches()) {
      throw new IllegalArgumentException(
          "invalid environment name '"
              + environment
              + "': use [a-z0-9][a-z0-9-_]{0,62}, as for environments");
    }
    if (group == null || !Topics.GROUP_NAME.matcher(group).matches()) {
      throw new IllegalArgumentException(
          "invalid worker group name '" + group + "': use [a-z0-9][a-z0-9-_]{0,62}");
    }
  }

  /** Parses {@code environment/group}; fails with a message that shows the expected form. */
  public static WorkerGroupRef parse(String s) {
    return of(s);
  }

  /** {@link #parse}; also the implicit converter of configuration values. */
  public static WorkerGroupRef of(String s) {
    String t = s == null ? "" : s.strip();
    int slash = t.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "worker group '"
              + t
              + "' names no environment: write environment/group, e.g. prod/"
              + (t.isEmpty() ? "default" : t));
    }
    if (t.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(
          "worker group '" + t + "' has more than one '/': write environment/group, e.g. prod/etl");
    }
    return new WorkerGroupRef(t.substring(0, slash), t.substring(slash + 1));
  }

  /**
   * Parses a list of {@code environment/group} entries (duplicates dropped, order kept); every bad
   * entry is named in one message.
   */
  public static List<WorkerGroupRef> parseAll(List<String> entries) {
    Set<WorkerGroupRef> out = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (String e : entries == null ? List.<String>of() : entries) {
      try {
        out.add(parse(e));
      } catch (IllegalArgumentException ex) {
        problems.add(ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "no worker group: list environment/group pairs, e.g. prod/default,prod/etl");
    }
    return List.copyOf(out);
  }

  /** The dispatch topic of this group. */
  public String dispatchTopic() {
    return Topics.taskDispatch(environment, group);
  }

  /** {@code environment/group}. */
  @Override
  public String toString() {
    return environment + "/" + group;
  }
}
