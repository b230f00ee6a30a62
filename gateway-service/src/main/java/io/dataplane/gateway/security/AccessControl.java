package io.dataplane.gateway.security;

import io.dataplane.gateway.audit.AuditService;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.RoleBindingService.RoleBinding;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/**
 * The one place that decides whether a caller may do something. Every GraphQL field and REST call
 * that reaches data goes through {@link #require}; refusals are audited.
 */
@ApplicationScoped
public class AccessControl {

  private final RoleBindingService bindings;
  private final AuditService audit;

  public AccessControl(RoleBindingService bindings, AuditService audit) {
    this.bindings = bindings;
    this.audit = audit;
  }

  /** Fails with UNAUTHENTICATED for an anonymous caller. */
  public void requireSignedIn(Caller caller) {
    if (caller == null || !caller.authenticated()) {
      throw new ApiError.Unauthenticated("sign in with a bearer token or an API key");
    }
  }

  /** Whether the caller is a platform admin (through a token role, configuration or a binding). */
  public boolean isAdmin(Caller caller) {
    if (!caller.authenticated() || !caller.keyAllowsAdmin()) {
      return false;
    }
    if (caller.admin()) {
      return true;
    }
    return bindingsOf(caller).stream()
        .anyMatch(
            b ->
                b.scopeKind() == RoleBindingService.ScopeKind.PLATFORM
                    && b.permissions().contains(Permission.ADMIN));
  }

  /** Fails with FORBIDDEN (audited) unless the caller is a platform admin. */
  public void requireAdmin(Caller caller, String action) {
    requireSignedIn(caller);
    if (!isAdmin(caller)) {
      deny(caller, action, "platform", null, "platform admin required");
    }
  }

  /**
   * Whether the caller holds {@code p} on the environment (or on a pipeline/worker group of it).
   */
  public boolean allowed(
      Caller caller, Permission p, String environment, String pipeline, String workerGroup) {
    if (!caller.authenticated()) {
      return false;
    }
    if (!caller.keyAllows(p, environment, pipeline)) {
      return false;
    }
    if (isAdmin(caller)) {
      return true;
    }
    if (caller.viaApiKey() && caller.admin()) {
      // an admin's key with a narrower scope: the scope (checked above) is the limit
      return true;
    }
    Set<Permission> held =
        RoleBindingService.effective(bindingsOf(caller), environment, pipeline, workerGroup);
    return Permission.allows(held, p);
  }

  /**
   * Whether the caller may run tasks in a worker group of the environment: read on the group, from
   * a binding on the group itself or on its environment (any permission includes read), or platform
   * admin. An API key's scope names no worker groups: the key must cover the pipeline it works on
   * ({@code pipeline}), and its owner must hold the right on the group.
   */
  public boolean mayUseWorkerGroup(
      Caller caller, String environment, String pipeline, String workerGroup) {
    if (!caller.authenticated() || !caller.keyAllows(Permission.READ, environment, pipeline)) {
      return false;
    }
    if (isAdmin(caller) || (caller.viaApiKey() && caller.admin())) {
      return true;
    }
    return Permission.allows(
        RoleBindingService.effective(bindingsOf(caller), environment, null, workerGroup),
        Permission.READ);
  }

  /**
   * Fails with FORBIDDEN (audited) unless the caller may use every one of these worker groups. The
   * answer rests on the caller's bindings only, so a group the caller may not use is refused the
   * same way whether it exists or not.
   */
  public void requireUseOfWorkerGroups(
      Caller caller,
      String environment,
      String pipeline,
      java.util.Collection<String> workerGroups,
      String action) {
    requireSignedIn(caller);
    List<String> refused =
        workerGroups.stream()
            .distinct()
            .sorted()
            .filter(g -> !mayUseWorkerGroup(caller, environment, pipeline, g))
            .toList();
    if (!refused.isEmpty()) {
      String target = "environment " + environment + ", worker group " + String.join(", ", refused);
      deny(caller, action, target, environment, "needs read on " + target);
    }
  }

  /** Fails with FORBIDDEN (audited) unless {@link #allowed}. */
  public void require(
      Caller caller,
      Permission p,
      String environment,
      String pipeline,
      String workerGroup,
      String action) {
    requireSignedIn(caller);
    if (!allowed(caller, p, environment, pipeline, workerGroup)) {
      String target = target(environment, pipeline, workerGroup);
      deny(caller, action, target, environment, "needs " + p.lower() + " on " + target);
    }
  }

  /**
   * Fails with FORBIDDEN (audited) unless the caller holds some permission in the environment: on
   * it, or on one of its pipelines or worker groups. For fields that must ask a service before they
   * can tell the exact right: checked first, an environment the caller has nothing in answers the
   * same whether it exists or not.
   */
  public void requireSomeRightIn(Caller caller, String environment, String action) {
    requireSignedIn(caller);
    if (allowed(caller, Permission.READ, environment, null, null)) {
      return;
    }
    Set<String> visible = visibleEnvironments(caller);
    if ((visible == null || visible.contains(environment)) && caller.keyCovers(environment)) {
      return;
    }
    String target = target(environment, null, null);
    deny(caller, action, target, environment, "needs read on " + target);
  }

  /**
   * For objects fetched by id: a caller without read access learns nothing, not even that the
   * object exists (NOT_FOUND); the refusal is audited.
   */
  public void requireVisible(
      Caller caller, String environment, String pipeline, String what, String action) {
    requireSignedIn(caller);
    if (!allowed(caller, Permission.READ, environment, pipeline, null)) {
      audit.record(
          caller.actor(),
          action,
          what,
          environment,
          AuditService.DENIED,
          "needs read on " + target(environment, pipeline, null) + keyNote(caller));
      throw new ApiError.NotFound(what + " not found");
    }
  }

  /** Environments the caller may see something in; null means all (admins, platform readers). */
  public Set<String> visibleEnvironments(Caller caller) {
    if (isAdmin(caller)) {
      return null;
    }
    List<RoleBinding> mine = bindingsOf(caller);
    if (mine.stream().anyMatch(b -> b.scopeKind() == RoleBindingService.ScopeKind.PLATFORM)) {
      return null;
    }
    return RoleBindingService.environmentsOf(mine);
  }

  /** Bindings that apply to the caller (a key acts with its owner's bindings). */
  public List<RoleBinding> bindingsOf(Caller caller) {
    if (!caller.authenticated()) {
      return List.of();
    }
    return bindings.bindingsOf(caller.subject(), caller.groups());
  }

  private void deny(Caller caller, String action, String target, String env, String why) {
    audit.record(caller.actor(), action, target, env, AuditService.DENIED, why + keyNote(caller));
    throw new ApiError.Forbidden("not allowed: " + why);
  }

  private static String keyNote(Caller caller) {
    return caller.viaApiKey() ? " (api key " + caller.apiKeyId() + ")" : "";
  }

  static String target(String environment, String pipeline, String workerGroup) {
    if (pipeline != null) {
      return "environment " + environment + ", pipeline " + pipeline;
    }
    if (workerGroup != null) {
      return "environment " + environment + ", worker group " + workerGroup;
    }
    return "environment " + environment;
  }
}
