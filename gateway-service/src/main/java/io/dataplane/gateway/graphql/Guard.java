package io.dataplane.gateway.graphql;

import io.dataplane.gateway.audit.AuditService;
import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.AccessControl;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.CurrentCaller;
import io.dataplane.gateway.security.Permission;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/** Authorization and audit for the GraphQL and REST entry points. */
@ApplicationScoped
public class Guard {

  private final CurrentCaller current;
  private final AccessControl access;
  private final AuditService audit;

  public Guard(CurrentCaller current, AccessControl access, AuditService audit) {
    this.current = current;
    this.access = access;
    this.audit = audit;
  }

  /** The signed-in caller (UNAUTHENTICATED otherwise). */
  public Caller caller() {
    Caller c = current.get();
    access.requireSignedIn(c);
    return c;
  }

  public AccessControl access() {
    return access;
  }

  /** The caller, who must hold {@code p} on the environment (and pipeline, if given). */
  public Caller require(Permission p, String environment, String pipeline, String action) {
    Caller c = caller();
    access.require(c, p, environment, pipeline, null, action);
    return c;
  }

  /** The caller, who must hold {@code p} on a worker group of the environment. */
  public Caller requireOnWorkerGroup(
      Permission p, String environment, String workerGroup, String action) {
    Caller c = caller();
    access.require(c, p, environment, null, workerGroup, action);
    return c;
  }

  /**
   * The caller, who must hold read on the environment and then {@code p} on the pipeline of one of
   * its schedules, triggers or rules, which {@code pipelineOf} reads from its service (only once
   * read is checked, so that no one learns what an environment they cannot read holds).
   */
  public Caller requireOnPipelineOf(
      String environment, Permission p, String action, Supplier<String> pipelineOf) {
    Caller c = caller();
    access.require(c, Permission.READ, environment, null, null, action);
    access.require(c, p, environment, pipelineOf.get(), null, action);
    return c;
  }

  public Caller requireAdmin(String action) {
    Caller c = caller();
    access.requireAdmin(c, action);
    return c;
  }

  /** Runs a mutation and audits it: OK with a summary, or FAILED with the error code. */
  public <T> T mutation(
      Caller caller,
      String action,
      String target,
      String environment,
      String summary,
      Supplier<T> work) {
    try {
      T result = work.get();
      audit.record(caller.actor(), action, target, environment, AuditService.OK, summary);
      return result;
    } catch (ApiError e) {
      audit.record(
          caller.actor(),
          action,
          target,
          environment,
          AuditService.FAILED,
          e.code() + ": " + e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      audit.record(caller.actor(), action, target, environment, AuditService.FAILED, "INTERNAL");
      throw e;
    }
  }

  /** A {@link #mutation} whose work is one call to {@code service} (see {@link Backends#call}). */
  public <T> T mutation(
      Caller caller,
      String action,
      String target,
      String environment,
      String summary,
      String service,
      Supplier<T> call) {
    return mutation(
        caller, action, target, environment, summary, () -> Backends.call(service, call));
  }

  /** A {@link #mutation} that deletes through {@code service}: true once done. */
  public boolean deletion(
      Caller caller,
      String action,
      String target,
      String environment,
      String service,
      Runnable delete) {
    return mutation(
        caller,
        action,
        target,
        environment,
        null,
        service,
        () -> {
          delete.run();
          return true;
        });
  }
}
