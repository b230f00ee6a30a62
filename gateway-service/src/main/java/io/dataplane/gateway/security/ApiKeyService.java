package io.dataplane.gateway.security;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dataplane.common.json.Json;
import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.repository.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * API keys for scripts and CI: 256 random bits, shown once at creation; only their SHA-256 is
 * stored. A key acts for its owner (by subject), never beyond its scope, until it expires or is
 * revoked. Its rights are computed at every use from the owner's current state: their role bindings
 * and the configured admins now, their groups and realm role as of their latest sign-in; nothing of
 * the owner's rights is stored with the key.
 */
@ApplicationScoped
public class ApiKeyService {

  /** Every key starts with this, so that secret scanners can find leaked keys. */
  public static final String KEY_PREFIX = "dpk_";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TypeReference<List<KeyScope>> SCOPE_LIST = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, name, owner, owner_subject, prefix, scope, expires_at, created_at, revoked_at,"
          + " last_used_at";

  private final Jdbc jdbc;
  private final GatewayConfig config;
  private final UserDirectory users;

  public ApiKeyService(Jdbc jdbc, GatewayConfig config, UserDirectory users) {
    this.jdbc = jdbc;
    this.config = config;
    this.users = users;
  }

  /** Creates a key for the caller; the returned secret is never stored or shown again. */
  public Created create(Caller owner, String name, List<KeyScope> scope, Duration ttl) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    UUID id = UUID.randomUUID();
    Instant expiresAt = Instant.now().plus(ttl);
    String prefix = key.substring(0, 12);
    String scopeJson;
    try {
      scopeJson = Json.mapper().writeValueAsString(scope);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("API key cannot be saved", e);
    }
    jdbc.update(
        "API key cannot be saved",
        "insert into api_keys (id, name, owner, owner_subject, key_hash, prefix, scope,"
            + " expires_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
        id,
        name,
        owner.name(),
        owner.subject(),
        hash(key),
        prefix,
        scopeJson,
        Timestamp.from(expiresAt));
    ApiKey meta =
        new ApiKey(
            id, name, owner.name(), owner.subject(), prefix, scope, expiresAt, Instant.now(), null);
    return new Created(key, meta);
  }

  /**
   * The caller a presented key stands for, if the key is known, unexpired and not revoked, and its
   * owner has signed in since subjects were recorded: the owner as they are now.
   */
  public Optional<Caller> authenticate(String presented) {
    if (presented == null || !presented.startsWith(KEY_PREFIX) || presented.length() > 200) {
      return Optional.empty();
    }
    return jdbc.first(
            "API key cannot be checked",
            "update api_keys set last_used_at = now() where key_hash = ?"
                + " and revoked_at is null and expires_at > now()"
                + " returning id, owner, owner_subject, scope",
            rs ->
                new Owner(
                    rs.getObject(1, UUID.class),
                    rs.getString(2),
                    rs.getString(3),
                    readScope(rs.getString(4))),
            hash(presented))
        .flatMap(this::callerOf);
  }

  /** The caller a key stands for now (for re-checks): empty once revoked or expired. */
  public Optional<Caller> current(UUID id) {
    return jdbc.first(
            "API key cannot be checked",
            "select owner, owner_subject, scope from api_keys where id = ?"
                + " and revoked_at is null and expires_at > now()",
            rs -> new Owner(id, rs.getString(1), rs.getString(2), readScope(rs.getString(3))),
            id)
        .flatMap(this::callerOf);
  }

  /** A live key: its id, its owner as recorded with it, and its scope. */
  private record Owner(UUID id, String ownerName, String ownerSubject, List<KeyScope> scope) {}

  private Optional<Caller> callerOf(Owner key) {
    if (key.ownerSubject() == null) {
      // made before subjects were recorded: its owner signs in once to claim it
      return Optional.empty();
    }
    Optional<UserDirectory.User> owner = users.find(key.ownerSubject());
    boolean admin =
        config.admins().orElse(List.of()).contains(key.ownerSubject())
            || owner.map(UserDirectory.User::tokenAdmin).orElse(false);
    return Optional.of(
        new Caller(
            key.ownerSubject(),
            owner.map(UserDirectory.User::name).orElse(key.ownerName()),
            owner.map(UserDirectory.User::groups).orElse(Set.of()),
            admin,
            key.id(),
            key.scope()));
  }

  /** Keys of one owner subject (null: every key), newest first. */
  public List<ApiKey> list(String ownerSubject) {
    return select(
        (ownerSubject == null ? "" : " where owner_subject = ?")
            + " order by created_at desc limit 500",
        ownerSubject);
  }

  /** Keys neither revoked nor expired whose scope names this environment. */
  public List<ApiKey> liveKeysOf(String environment) {
    return select(
        " where revoked_at is null and expires_at > now() and scope::jsonb @> ?::jsonb"
            + " order by created_at limit 500",
        Json.mapper()
            .valueToTree(List.of(java.util.Map.of("environment", environment)))
            .toString());
  }

  /**
   * The keys of {@code "select COLUMNS from api_keys" + rest}, whose one parameter, if any, is
   * {@code param}.
   */
  private List<ApiKey> select(String rest, String param) {
    return jdbc.list(
        "API keys cannot be read",
        "select " + COLUMNS + " from api_keys" + rest,
        ApiKeyService::read,
        param == null ? new Object[0] : new Object[] {param});
  }

  public Optional<ApiKey> find(UUID id) {
    return jdbc.first(
        "API key cannot be read",
        "select " + COLUMNS + " from api_keys where id = ?",
        ApiKeyService::read,
        id);
  }

  /** Revokes a key at once; revoking twice is harmless. */
  public void revoke(UUID id) {
    jdbc.update(
        "API key cannot be revoked",
        "update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ?",
        id);
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
    Timestamp revoked = rs.getTimestamp(9);
    return new ApiKey(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        readScope(rs.getString(6)),
        rs.getTimestamp(7).toInstant(),
        rs.getTimestamp(8).toInstant(),
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
      @org.eclipse.microprofile.graphql.Description("the owner's subject (sub)")
          String ownerSubject,
      String prefix,
      List<KeyScope> scope,
      Instant expiresAt,
      Instant createdAt,
      Instant revokedAt) {}

  /** A new key: {@code key} is shown this once. */
  public record Created(String key, ApiKey apiKey) {}
}
