package io.dataplane.gateway.applylock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The apply lock of each environment, in Redis (shared by every gateway replica): one holder at a
 * time, with an owner, a free-text holder label and an expiry, so that two {@code dataplane apply}
 * runs against one environment cannot interleave and a crashed one frees it by itself. Whoever
 * takes it gets a token; only that token releases it early.
 */
@ApplicationScoped
public class ApplyLocks {

  /** Redis key prefix; the environment's name follows. */
  static final String PREFIX = "dataplane:apply-lock:";

  /** The longest a lock may be taken for. */
  public static final Duration MAX_TTL = Duration.ofHours(1);

  // takes the lock when free (or renews it for the same token); answers the current holder
  private static final String ACQUIRE =
      "local cur = redis.call('GET', KEYS[1]) "
          + "if cur and cjson.decode(cur)['token'] ~= ARGV[2] then return cur end "
          + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) "
          + "return ARGV[1]";

  private static final String RELEASE =
      "local cur = redis.call('GET', KEYS[1]) "
          + "if cur and cjson.decode(cur)['token'] == ARGV[1] then "
          + "redis.call('DEL', KEYS[1]) return 1 end "
          + "return 0";

  private final RedisDataSource redis;
  private final ObjectMapper json;

  public ApplyLocks(RedisDataSource redis, ObjectMapper json) {
    this.redis = redis;
    this.json = json;
  }

  /** A lock as stored: who, what for, since and until when, and its token. */
  public record Held(
      String environment,
      String owner,
      String holder,
      long acquiredAtMs,
      long expiresAtMs,
      String token) {}

  /** The outcome of an attempt to take a lock: taken (with its token) or held by another. */
  public record Attempt(boolean acquired, Held lock) {}

  /**
   * Takes the lock of {@code environment} for {@code ttl}, or renews it when {@code token} is the
   * current holder's; otherwise answers who holds it.
   */
  public Attempt acquire(
      String environment, String owner, String holder, Duration ttl, String token) {
    Instant now = Instant.now();
    String mine = token == null || token.isBlank() ? UUID.randomUUID().toString() : token;
    Held wanted =
        new Held(
            environment, owner, holder, now.toEpochMilli(), now.plus(ttl).toEpochMilli(), mine);
    Response r =
        redis.execute(
            "EVAL",
            ACQUIRE,
            "1",
            PREFIX + environment,
            write(wanted),
            mine,
            String.valueOf(ttl.toMillis()));
    Held current = read(r.toString());
    return new Attempt(mine.equals(current.token()), current);
  }

  /** Releases the lock if {@code token} holds it; tells whether it did. */
  public boolean release(String environment, String token) {
    return redis.execute("EVAL", RELEASE, "1", PREFIX + environment, token).toLong() == 1;
  }

  /** The current holder, or null when the lock is free. */
  public Held current(String environment) {
    Response r = redis.execute("GET", PREFIX + environment);
    return r == null ? null : read(r.toString());
  }

  private String write(Held h) {
    try {
      return json.writeValueAsString(h);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Held read(String s) {
    try {
      JsonNode n = json.readTree(s);
      return new Held(
          n.path("environment").asText(),
          n.path("owner").asText(),
          n.path("holder").asText(null),
          n.path("acquiredAtMs").asLong(),
          n.path("expiresAtMs").asLong(),
          n.path("token").asText());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable apply lock", e);
    }
  }
}
