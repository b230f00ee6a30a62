package io.dataplane.gateway.security;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import io.dataplane.common.json.Json;
import io.dataplane.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * API keys for scripts and CI: 256 random bits, shown once at creation; only their SHA-256 is
 * stored. A key acts for its owner, never beyond its scope, until it expires or is revoked.
 */
@ApplicationScoped
public class ApiKeyService {

  /** Every key starts with this, so that secret scanners can find leaked keys. */
  public static final String KEY_PREFIX = "dpk_";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TypeReference<List<KeyScope>> SCOPE_LIST = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, name, owner, owner_groups, owner_admin, prefix, scope, expires_at, created_at,"
          + " revoked_at, last_used_at";

  private final AgroalDataSource dataSource;
  private final GatewayConfig config;

  public ApiKeyService(AgroalDataSource dataSource, GatewayConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  /** Creates a key for the caller; the returned secret is never stored or shown again. */
  public Created create(Caller owner, String name, List<KeyScope> scope, Duration ttl) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    UUID id = UUID.randomUUID();
    Instant expiresAt = Instant.now().plus(ttl);
    String prefix = key.substring(0, 12);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into api_keys (id, name, owner, owner_groups, owner_admin, key_hash,"
                    + " prefix, scope, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, id);
      ps.setString(2, name);
      ps.setString(3, owner.name());
      ps.setString(4, String.join("\n", owner.groups()));
      ps.setBoolean(5, owner.admin());
      ps.setString(6, hash(key));
      ps.setString(7, prefix);
      ps.setString(8, Json.mapper().writeValueAsString(scope));
      ps.setTimestamp(9, Timestamp.from(expiresAt));
      ps.executeUpdate();
    } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("API key cannot be saved", e);
    }
    ApiKey meta = new ApiKey(id, name, owner.name(), prefix, scope, expiresAt, Instant.now(), null);
    return new Created(key, meta);
  }

  /** The caller a presented key stands for, if the key is known, unexpired and not revoked. */
  public Optional<Caller> authenticate(String presented) {
    if (presented == null || !presented.startsWith(KEY_PREFIX) || presented.length() > 200) {
      return Optional.empty();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "update api_keys set last_used_at = now() where key_hash = ?"
                    + " and revoked_at is null and expires_at > now()"
                    + " returning id, owner, owner_groups, owner_admin, scope")) {
      ps.setString(1, hash(presented));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String groups = rs.getString(3);
        Set<String> groupSet =
            groups == null || groups.isEmpty()
                ? Set.of()
                : new LinkedHashSet<>(List.of(groups.split("\n")));
        return Optional.of(
            new Caller(
                rs.getString(2),
                groupSet,
                rs.getBoolean(4),
                rs.getObject(1, UUID.class),
                readScope(rs.getString(5))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("API key cannot be checked", e);
    }
  }

  /** Keys of one owner (null: every key), newest first. */
  public List<ApiKey> list(String owner) {
    String sql =
        "select "
            + COLUMNS
            + " from api_keys"
            + (owner == null ? "" : " where owner = ?")
            + " order by created_at desc limit 500";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (owner != null) {
        ps.setString(1, owner);
      }
      List<ApiKey> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("API keys cannot be read", e);
    }
  }

  public Optional<ApiKey> find(UUID id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select " + COLUMNS + " from api_keys where id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("API key cannot be read", e);
    }
  }

  /** Revokes a key at once; revoking twice is harmless. */
  public void revoke(UUID id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ?")) {
      ps.setObject(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("API key cannot be revoked", e);
    }
  }

  public Duration defaultTtl() {
    return config.apiKeys().defaultTtl();
  }

  public Duration maxTtl() {
    return config.apiKeys().maxTtl();
  }

  static String hash(String key) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ApiKey read(ResultSet rs) throws SQLException {
    Timestamp revoked = rs.getTimestamp(10);
    return new ApiKey(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        rs.getString(6),
        readScope(rs.getString(7)),
        rs.getTimestamp(8).toInstant(),
        rs.getTimestamp(9).toInstant(),
        revoked == null ? null : revoked.toInstant());
  }

  private static List<KeyScope> readScope(String json) {
    try {
      return Json.mapper().readValue(json, SCOPE_LIST);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return List.of();
    }
  }

  /** A key's metadata (never the key). */
  public record ApiKey(
      UUID id,
      String name,
      String owner,
      String prefix,
      List<KeyScope> scope,
      Instant expiresAt,
      Instant createdAt,
      Instant revokedAt) {}

  /** A new key: {@code key} is shown this once. */
  public record Created(String key, ApiKey apiKey) {}
}
