package io.dataplane.worker.service;

import io.dataplane.common.events.TaskDispatched;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets a task declared, resolved with its attempt token: exactly those (whatever else the
 * answer holds is dropped), or an error naming the first one missing. A task that declares none
 * costs no call. Plain Java.
 */
public final class TaskSecrets {

  /** Resolves secret names of an environment with an attempt token (the secrets-service call). */
  @FunctionalInterface
  public interface Resolver {
    Map<String, String> resolve(String attemptToken, String environment, List<String> names)
        throws IOException;
  }

  private TaskSecrets() {}

  public static Map<String, String> resolve(TaskDispatched d, Resolver resolver)
      throws IOException {
    List<String> declared = d.secrets() == null ? List.of() : d.secrets();
    if (declared.isEmpty()) {
      return Map.of();
    }
    if (d.attemptToken() == null) {
      throw new IOException("the task declares secrets but the dispatch carries no attempt token");
    }
    Map<String, String> all = resolver.resolve(d.attemptToken(), d.environment(), declared);
    Map<String, String> out = new HashMap<>();
    for (String name : declared) {
      String v = all == null ? null : all.get(name);
      if (v == null) {
        throw new IOException("secret " + name + " was not resolved for this task");
      }
      out.put(name, v);
    }
    return out;
  }
}
