package io.dataplane.gateway.security;

import io.dataplane.gateway.repository.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Role bindings: a user (by subject) or an OIDC group holds permissions on a scope. A USER binding
 * made for a name no one has signed in with yet is pending until that sign-in ({@link
 * UserDirectory}); a pending binding grants nothing.
 */
@ApplicationScoped
public class RoleBindingService {

  /** Kinds of subject. */
  public enum SubjectKind {
    USER,
    GROUP
  }

  /** Kinds of scope. */
  public enum ScopeKind {
    PLATFORM,
    ENVIRONMENT,
    PIPELINE,
    WORKER_GROUP
  }

  private static final String COLUMNS =
      "id, subject_kind, subject, scope_kind, environment, resource, permissions, created_by,"
          + " created_at, subject_name, pending";

  private final Jdbc jdbc;

  public RoleBindingService(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Creates the binding, or replaces the permissions of the same subject on the same scope. */
  public RoleBinding bind(
      SubjectKind subjectKind,
      String subject,
      String subjectName,
      boolean pending,
      ScopeKind scopeKind,
      String environment,
      String resource,
      Set<Permission> permissions,
      String createdBy) {
    String perms = permissions.stream().sorted().map(Enum::name).collect(Collectors.joining(","));
    String sql =
        "insert into role_bindings (id, subject_kind, subject, scope_kind, environment, resource,"
            + " permissions, created_by, subject_name, pending) values (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            + " ?) on conflict (subject_kind, subject, scope_kind, environment, resource)"
            + " do update set permissions = excluded.permissions, created_by = excluded.created_by,"
            + " subject_name = excluded.subject_name, created_at = now() returning "
            + COLUMNS;
    return jdbc.first(
            "role binding cannot be saved",
            sql,
            RoleBindingService::read,
            UUID.randomUUID(),
            subjectKind.name(),
            subject,
            scopeKind.name(),
            environment == null ? "" : environment,
            resource == null ? "" : resource,
            perms,
            createdBy,
            subjectName,
            pending)
        .orElseThrow(() -> new IllegalStateException("role binding cannot be saved"));
  }

  /** Deletes a binding; returns it, or null when there was none. */
  public RoleBinding unbind(UUID id) {
    return jdbc.first(
            "role binding cannot be deleted",
            "delete from role_bindings where id = ? returning " + COLUMNS,
            RoleBindingService::read,
            id)
        .orElse(null);
  }

  /**
   * Deletes every binding on a deleted environment (and its pipelines and worker groups), so that a
   * new environment of the same name starts with none; returns them.
   */
  public List<RoleBinding> unbindEnvironment(String environment) {
    return jdbc.list(
        "role bindings cannot be deleted",
        "delete from role_bindings where environment = ? and scope_kind <> 'PLATFORM'"
            + " returning "
            + COLUMNS,
        RoleBindingService::read,
        environment);
  }

  /** Bindings, optionally only those on one environment or of one subject. */
  public List<RoleBinding> list(String environment, String subject) {
    StringBuilder sql = new StringBuilder("select " + COLUMNS + " from role_bindings where true");
    List<String> args = new ArrayList<>();
    if (environment != null) {
      sql.append(" and environment = ?");
      args.add(environment);
    }
    if (subject != null) {
      sql.append(" and (subject = ? or subject_name = ?)");
      args.add(subject);
      args.add(subject);
    }
    sql.append(" order by created_at, id limit 1000");
    return jdbc.list(
        "role bindings cannot be read", sql.toString(), RoleBindingService::read, args.toArray());
  }

  /** Every binding that applies to this user (by subject) or one of these groups. */
  public List<RoleBinding> bindingsOf(String subject, Set<String> groups) {
    String sql =
        "select "
            + COLUMNS
            + " from role_bindings where (subject_kind = 'USER' and subject = ? and not pending)"
            + " or (subject_kind = 'GROUP' and subject = any (?))";
    return jdbc.list(
        "role bindings cannot be read",
        sql,
        RoleBindingService::read,
        subject,
        groups.toArray(String[]::new));
  }

  /**
   * The permissions these bindings grant on a pipeline or worker group of an environment (both
   * null: on the environment itself). Environment and platform bindings apply to everything below.
   */
  public static Set<Permission> effective(
      List<RoleBinding> bindings, String environment, String pipeline, String workerGroup) {
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    for (RoleBinding b : bindings) {
      boolean applies =
          switch (b.scopeKind()) {
            case PLATFORM -> true;
            case ENVIRONMENT -> b.environment().equals(environment);
            case PIPELINE -> b.environment().equals(environment) && b.resource().equals(pipeline);
            case WORKER_GROUP ->
                b.environment().equals(environment) && b.resource().equals(workerGroup);
          };
      if (applies) {
        out.addAll(b.permissions());
      }
    }
    return out;
  }

  /** Environments where these bindings grant anything (any scope inside counts). */
  public static Set<String> environmentsOf(List<RoleBinding> bindings) {
    Set<String> out = new LinkedHashSet<>();
    bindings.stream()
        .filter(b -> b.scopeKind() != ScopeKind.PLATFORM)
        .sorted(Comparator.comparing(RoleBinding::environment))
        .forEach(b -> out.add(b.environment()));
    return out;
  }

  private static RoleBinding read(ResultSet rs) throws SQLException {
    return new RoleBinding(
        rs.getObject(1, UUID.class),
        SubjectKind.valueOf(rs.getString(2)),
        rs.getString(3),
        ScopeKind.valueOf(rs.getString(4)),
        rs.getString(5),
        rs.getString(6),
        Permission.parseAll(rs.getString(7)),
        rs.getString(8),
        rs.getTimestamp(9).toInstant(),
        rs.getString(10),
        rs.getBoolean(11));
  }

  /** One binding. */
  public record RoleBinding(
      UUID id,
      SubjectKind subjectKind,
      String subject,
      ScopeKind scopeKind,
      String environment,
      String resource,
      Set<Permission> permissions,
      String createdBy,
      Instant createdAt,
      @org.eclipse.microprofile.graphql.Description("the user's name, for display (USER bindings)")
          String subjectName,
      @org.eclipse.microprofile.graphql.Description(
              "true while the binding waits for the first sign-in of a user of that name")
          boolean pending) {}
}
