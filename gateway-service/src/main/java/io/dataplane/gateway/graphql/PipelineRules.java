package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.SCHEDULER;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Schedules, triggers and notification rules: scheduler-service's rules for a pipeline of an
 * environment, reached by id. Reading one needs some right in the environment first (so that an
 * environment the caller has nothing in answers alike whether the id exists or not), then read on
 * its pipeline; changing one needs {@code change} on its pipeline. Changes are audited with the
 * target {@code "<noun> <id>"}.
 */
final class PipelineRules<T> {

  private final Guard guard;
  private final String noun;
  private final Permission change;
  private final BiFunction<String, String, T> read;
  private final Function<T, String> pipelineOf;

  /**
   * @param read reads a rule from scheduler-service by environment and id
   */
  PipelineRules(
      Guard guard,
      String noun,
      Permission change,
      BiFunction<String, String, T> read,
      Function<T, String> pipelineOf) {
    this.guard = guard;
    this.noun = noun;
    this.change = change;
    this.read = read;
    this.pipelineOf = pipelineOf;
  }

  /** The rule, which the caller may read. */
  T get(String environment, String id, String action) {
    guard.access().requireSomeRightIn(guard.caller(), environment, action);
    T rule = Backends.call(SCHEDULER, () -> read.apply(environment, id));
    guard.require(Permission.READ, environment, pipelineOf.apply(rule), action);
    return rule;
  }

  /** The caller, who must hold read on the environment, then {@code change} on the pipeline. */
  Caller owner(String environment, String id, String action) {
    Inputs.environmentAndId(environment, id);
    return guard.requireOnPipelineOf(
        environment,
        change,
        action,
        () -> pipelineOf.apply(Backends.call(SCHEDULER, () -> read.apply(environment, id))));
  }

  /** An audited change of the rule through scheduler-service. */
  <R> R change(
      Caller caller,
      String action,
      String environment,
      String id,
      String summary,
      Supplier<R> call) {
    return guard.mutation(caller, action, noun + " " + id, environment, summary, SCHEDULER, call);
  }

  /** An audited change of the rule by its {@link #owner}. */
  <R> R changeOwned(
      String environment, String id, String action, String summary, Supplier<R> call) {
    return change(owner(environment, id, action), action, environment, id, summary, call);
  }

  /** Deletes the rule (by its {@link #owner}, audited): true once done. */
  boolean delete(String environment, String id, String action, Runnable delete) {
    return guard.deletion(
        owner(environment, id, action), action, noun + " " + id, environment, SCHEDULER, delete);
  }
}
