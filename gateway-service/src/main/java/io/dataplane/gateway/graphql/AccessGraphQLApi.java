package io.dataplane.gateway.graphql;

import io.dataplane.gateway.audit.AuditService;
import io.dataplane.gateway.audit.AuditService.AuditEntry;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.live.LiveAccess;
import io.dataplane.gateway.security.ApiKeyService;
import io.dataplane.gateway.security.ApiKeyService.ApiKey;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.KeyScope;
import io.dataplane.gateway.security.Permission;
import io.dataplane.gateway.security.RoleBindingService;
import io.dataplane.gateway.security.RoleBindingService.RoleBinding;
import io.dataplane.gateway.security.RoleBindingService.ScopeKind;
import io.dataplane.gateway.security.RoleBindingService.SubjectKind;
import io.dataplane.gateway.security.UserDirectory;
import io.smallrye.common.annotation.Blocking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Type;

/** Who am I, API keys, role bindings and the audit log. */
@GraphQLApi
@Blocking
public class AccessGraphQLApi {

  private final Guard guard;
  private final ApiKeyService keys;
  private final RoleBindingService bindings;
  private final AuditService audit;
  private final UserDirectory users;
  private final LiveAccess live;

  public AccessGraphQLApi(
      Guard guard,
      ApiKeyService keys,
      RoleBindingService bindings,
      AuditService audit,
      UserDirectory users,
      LiveAccess live) {
    this.live = live;
    this.guard = guard;
    this.keys = keys;
    this.bindings = bindings;
    this.audit = audit;
    this.users = users;
  }

  @Query("me")
  @Description("The signed-in user (or API key owner), with the role bindings that apply")
  public Me me() {
    Caller c = guard.caller();
    boolean admin = guard.access().isAdmin(c);
    return new Me(
        c.subject(),
        c.name(),
        List.copyOf(c.groups()),
        admin,
        c.viaApiKey() ? c.apiKeyId().toString() : null,
        guard.access().bindingsOf(c));
  }

  @Query("apiKeys")
  @Description("Your API keys (admins: everyone's with all=true); never the keys themselves")
  public List<ApiKey> apiKeys(@DefaultValue("false") boolean all) {
    Caller c = guard.caller();
    if (all) {
      guard.access().requireAdmin(c, "apiKeys");
      return keys.list(null);
    }
    return keys.list(c.subject());
  }

  @Mutation("createApiKey")
  @Description("Creates an API key; the key is in the answer this once and never again")
  public CreatedApiKey createApiKey(@NonNull @Name("input") ApiKeyInput input) {
    Caller c = guard.caller();
    if (c.viaApiKey()) {
      throw new ApiError.Forbidden("an API key cannot create API keys; sign in with a token");
    }
    Inputs check = Inputs.check();
    check.required("input.name", input.name()).maxLength("input.name", input.name(), 100);
    check.that(
        input.scope() != null && !input.scope().isEmpty(),
        "input.scope",
        "at least one scope entry is required");
    check.that(!c.viaApiKey(), "input", "an API key cannot create API keys; sign in with a token");
    List<KeyScope> scope = new ArrayList<>();
    if (input.scope() != null) {
      for (int i = 0; i < input.scope().size(); i++) {
        ScopeInput s = input.scope().get(i);
        String path = "input.scope[" + i + "]";
        if (!"*".equals(s.environment())) {
          check.name(path + ".environment", s.environment());
        }
        check.optionalName(path + ".pipeline", s.pipeline());
        check.that(
            s.permissions() != null && !s.permissions().isEmpty(),
            path + ".permissions",
            "at least one permission is required");
        Set<Permission> perms = EnumSet.noneOf(Permission.class);
        if (s.permissions() != null) {
          perms.addAll(s.permissions());
        }
        check.that(
            !perms.contains(Permission.ADMIN) || "*".equals(s.environment()),
            path + ".permissions",
            "admin is only valid with environment \"*\"");
        scope.add(new KeyScope(s.environment(), s.pipeline(), perms));
      }
    }
    Duration ttl =
        input.ttlDays() == null ? keys.defaultTtl() : Duration.ofDays(input.ttlDays().longValue());
    check.that(
        input.ttlDays() == null || (input.ttlDays() >= 1 && ttl.compareTo(keys.maxTtl()) <= 0),
        "input.ttlDays",
        "must be between 1 and " + keys.maxTtl().toDays());
    check.orFail();
    return guard.mutation(
        c,
        "createApiKey",
        "api key " + input.name(),
        null,
        "scope " + scope,
        () -> {
          ApiKeyService.Created created = keys.create(c, input.name(), scope, ttl);
          return new CreatedApiKey(created.key(), created.apiKey());
        });
  }

  @Mutation("revokeApiKey")
  @Description("Revokes an API key at once (its owner or an admin)")
  public ApiKey revokeApiKey(@NonNull String id) {
    Caller c = guard.caller();
    UUID uuid = uuid("id", id);
    ApiKey key = keys.find(uuid).orElseThrow(() -> new ApiError.NotFound("API key not found"));
    if (!c.subject().equals(key.ownerSubject())) {
      guard.access().requireAdmin(c, "revokeApiKey");
    }
    return guard.mutation(
        c,
        "revokeApiKey",
        "api key " + key.id(),
        null,
        "owner " + key.owner(),
        () -> {
          keys.revoke(uuid);
          live.accessChanged();
          return keys.find(uuid).orElseThrow();
        });
  }

  @Query("roleBindings")
  @Description("Role bindings (admins only), optionally of one environment or subject")
  public List<RoleBinding> roleBindings(String environment, String subject) {
    guard.requireAdmin("roleBindings");
    return bindings.list(environment, subject);
  }

  @Mutation("bindRole")
  @Description(
      "Grants a user or an OIDC group permissions on the platform, an environment, a pipeline or a"
          + " worker group (admins only); replaces the permissions of an existing binding")
  public RoleBinding bindRole(@NonNull @Name("input") BindingInput input) {
    Caller c = guard.requireAdmin("bindRole");
    Inputs check = Inputs.check();
    check.required("input.subjectKind", input.subjectKind());
    check
        .required("input.subject", input.subject())
        .maxLength("input.subject", input.subject(), 200);
    check.required("input.scopeKind", input.scopeKind());
    check.that(
        input.permissions() != null && !input.permissions().isEmpty(),
        "input.permissions",
        "at least one permission is required");
    ScopeKind kind = input.scopeKind();
    if (kind != null && kind != ScopeKind.PLATFORM) {
      check.name("input.environment", input.environment());
      if (kind == ScopeKind.PIPELINE || kind == ScopeKind.WORKER_GROUP) {
        check.name("input.resource", input.resource());
      }
    }
    if (kind != ScopeKind.PLATFORM && input.permissions() != null) {
      check.that(
          !input.permissions().contains(Permission.ADMIN),
          "input.permissions",
          "admin is only valid on the platform scope");
    }
    check.orFail();
    String env = kind == ScopeKind.PLATFORM ? "" : input.environment();
    String resource =
        kind == ScopeKind.PIPELINE || kind == ScopeKind.WORKER_GROUP ? input.resource() : "";
    Set<Permission> perms = EnumSet.copyOf(input.permissions());
    Subject subject = subject(input.subjectKind(), input.subject().strip());
    return guard.mutation(
        c,
        "bindRole",
        input.subjectKind()
            + " "
            + subject.subject()
            + (subject.name() == null || subject.name().equals(subject.subject())
                ? ""
                : " (" + subject.name() + ")")
            + (subject.pending() ? " (pending)" : ""),
        env.isEmpty() ? null : env,
        kind + (resource.isEmpty() ? "" : " " + resource) + " " + perms,
        () -> {
          RoleBinding b =
              bindings.bind(
                  input.subjectKind(),
                  subject.subject(),
                  subject.name(),
                  subject.pending(),
                  kind,
                  env,
                  resource,
                  perms,
                  c.actor());
          // a replaced binding may grant less than before
          live.accessChanged();
          return b;
        });
  }

  private record Subject(String subject, String name, boolean pending) {}

  /**
   * What a USER binding names: a known subject as is; the name of a user who has signed in, as
   * their subject; a name no one has signed in with yet, pending (the first sign-in with that name
   * claims it).
   */
  private Subject subject(SubjectKind kind, String given) {
    if (kind == SubjectKind.GROUP) {
      return new Subject(given, null, false);
    }
    var known = users.find(given);
    if (known.isPresent()) {
      return new Subject(given, known.get().name(), false);
    }
    List<UserDirectory.User> named = users.named(given);
    if (named.size() > 1) {
      throw ApiError.invalid(
          "input.subject",
          "several users are named "
              + given
              + "; name one by subject: "
              + named.stream().map(UserDirectory.User::subject).toList());
    }
    if (named.size() == 1) {
      return new Subject(named.get(0).subject(), given, false);
    }
    return new Subject(given, given, true);
  }

  @Mutation("unbindRole")
  @Description("Removes a role binding (admins only)")
  public RoleBinding unbindRole(@NonNull String id) {
    Caller c = guard.requireAdmin("unbindRole");
    UUID uuid = uuid("id", id);
    return guard.mutation(
        c,
        "unbindRole",
        "binding " + id,
        null,
        null,
        () -> {
          RoleBinding b = bindings.unbind(uuid);
          if (b == null) {
            throw new ApiError.NotFound("role binding not found");
          }
          live.accessChanged();
          return b;
        });
  }

  @Query("auditLog")
  @Description("Mutations and refused authorizations, newest first (admins only)")
  public List<AuditEntry> auditLog(
      String actor,
      String action,
      String environment,
      String outcome,
      @Description("id of the last entry of the previous page") Long before,
      @DefaultValue("50") int limit) {
    guard.requireAdmin("auditLog");
    Inputs.check().range("limit", limit, 1, 500).orFail();
    return audit.list(actor, action, environment, outcome, before, limit);
  }

  static UUID uuid(String path, String id) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(path, "must be a UUID");
    }
  }

  /** The caller as the gateway sees them. */
  @Type("Me")
  public record Me(
      @Description("the token's subject (sub): what role bindings and the configured admins name")
          String subject,
      String name,
      List<String> groups,
      boolean admin,
      String apiKeyId,
      List<RoleBinding> bindings) {}

  @Input("ApiKeyInput")
  public record ApiKeyInput(
      @NonNull String name,
      @Description("lifetime in days (default 90)") Integer ttlDays,
      @NonNull List<ScopeInput> scope) {}

  @Input("ApiKeyScopeInput")
  @Description("Permissions on an environment (\"*\": all) and optionally one pipeline of it")
  public record ScopeInput(
      @NonNull String environment, String pipeline, @NonNull List<Permission> permissions) {}

  @Type("CreatedApiKey")
  public record CreatedApiKey(
      @Description("the key: shown once, store it now") String key, ApiKey apiKey) {}

  @Input("RoleBindingInput")
  public record BindingInput(
      @NonNull SubjectKind subjectKind,
      @Description(
              "USER: the user's subject (sub) or the name of a user who has signed in (bound to"
                  + " their subject); a name no one has signed in with yet makes a pending"
                  + " binding. GROUP: the group name")
          @NonNull
          String subject,
      @NonNull ScopeKind scopeKind,
      String environment,
      @Description("pipeline or worker group name, for those scopes") String resource,
      @NonNull List<Permission> permissions) {}
}
