package io.dataplane.gateway.security;

import io.agroal.api.AgroalDataSource;
import io.dataplane.gateway.repository.Jdbc;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users seen through OIDC, by subject: what their latest token said (name, groups, the realm admin
 * role). A sign-in also claims what was waiting for the user's name: pending role bindings and API
 * keys made before subjects were recorded.
 */
@ApplicationScoped
public class UserDirectory {

  /** A sighting that changes nothing is written at most this often. */
  static final Duration REFRESH = Duration.ofMinutes(1);

  private final AgroalDataSource dataSource;
  private final Jdbc jdbc;
  private final Map<String, Seen> recorded = new ConcurrentHashMap<>();

  public UserDirectory(AgroalDataSource dataSource, Jdbc jdbc) {
    this.dataSource = dataSource;
    this.jdbc = jdbc;
  }

  /** A user as last seen. */
  public record User(String subject, String name, Set<String> groups, boolean tokenAdmin) {}

  private record Seen(User user, Instant at) {}

  /** Whether a sighting of this user would change nothing (so it need not be written). */
  public boolean upToDate(String subject, String name, Set<String> groups, boolean tokenAdmin) {
    Seen last = recorded.get(subject);
    return last != null
        && last.user().equals(new User(subject, name, Set.copyOf(groups), tokenAdmin))
        && last.at().plus(REFRESH).isAfter(Instant.now());
  }

  /** Records a signed-in user (blocking); cheap when nothing changed since the last sighting. */
  public void signedIn(String subject, String name, Set<String> groups, boolean tokenAdmin) {
    User user = new User(subject, name, Set.copyOf(groups), tokenAdmin);
    Instant now = Instant.now();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "insert into users (subject, name, groups, token_admin) values (?, ?, ?, ?)"
                  + " on conflict (subject) do update set name = excluded.name,"
                  + " groups = excluded.groups, token_admin = excluded.token_admin,"
                  + " last_seen_at = now()")) {
        ps.setString(1, subject);
        ps.setString(2, name);
        ps.setString(3, String.join("\n", groups));
        ps.setBoolean(4, tokenAdmin);
        ps.executeUpdate();
      }
      claim(c, subject, name);
      c.commit();
      recorded.put(subject, new Seen(user, now));
    } catch (SQLException e) {
      // a sighting is bookkeeping: the request goes on (a concurrent claim may have won)
      Log.warnf("user %s not recorded: %s", name, e.getMessage());
    }
  }

  /** Pending bindings and unclaimed keys made for this name become the subject's. */
  private static void claim(Connection c, String subject, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update role_bindings b set subject = ?, subject_name = ?, pending = false"
                + " where b.subject_kind = 'USER' and b.pending and b.subject = ?"
                + " and not exists (select 1 from role_bindings o where o.subject_kind = 'USER'"
                + " and o.subject = ? and o.scope_kind = b.scope_kind"
                + " and o.environment = b.environment and o.resource = b.resource)")) {
      ps.setString(1, subject);
      ps.setString(2, name);
      ps.setString(3, name);
      ps.setString(4, subject);
      int n = ps.executeUpdate();
      if (n > 0) {
        Log.infof("%d pending role binding(s) of %s now bound to subject %s", n, name, subject);
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "delete from role_bindings where subject_kind = 'USER' and pending and subject = ?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "update api_keys set owner_subject = ? where owner_subject is null and owner = ?")) {
      ps.setString(1, subject);
      ps.setString(2, name);
      ps.executeUpdate();
    }
  }

  /** The user with this subject, as last seen. */
  public Optional<User> find(String subject) {
    return select("subject = ?", subject).stream().findFirst();
  }

  /** Users currently known by this name (more than one after a rename). */
  public List<User> named(String name) {
    return select("name = ? order by last_seen_at desc limit 10", name);
  }

  /** The users {@code where} selects, with its one parameter. */
  private List<User> select(String where, String param) {
    return jdbc.list(
        "users cannot be read",
        "select subject, name, groups, token_admin from users where " + where,
        UserDirectory::read,
        param);
  }

  private static User read(ResultSet rs) throws SQLException {
    String groups = rs.getString(3);
    Set<String> set =
        groups == null || groups.isEmpty()
            ? Set.of()
            : new LinkedHashSet<>(List.of(groups.split("\n")));
    return new User(rs.getString(1), rs.getString(2), set, rs.getBoolean(4));
  }
}
