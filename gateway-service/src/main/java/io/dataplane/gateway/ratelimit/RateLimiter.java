package io.dataplane.gateway.ratelimit;

import io.dataplane.gateway.config.GatewayConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Sliding-window request counting per principal in Redis, shared by every gateway replica: a
 * principal may make {@code requests} requests in any {@code window}, however the requests fall
 * against the clock (a fixed window lets twice the limit through across its boundary, and restarts
 * the count there). One atomic script, on Redis' own clock so that replicas agree, keeps the times
 * of the accepted requests in a sorted set: it drops the ones older than the window, accepts the
 * request if fewer than the limit remain, and otherwise says when the oldest leaves the window.
 * Refused requests are not counted, so a client that waits as told gets in.
 */
@ApplicationScoped
public class RateLimiter {

  /**
   * KEYS[1] the principal's set; ARGV: window ms, limit, a unique member. Returns {allowed, n,
   * retry ms}.
   */
  static final String SCRIPT =
      "local t = redis.call('TIME') "
          + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
          + "local window = tonumber(ARGV[1]) "
          + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window) "
          + "local n = redis.call('ZCARD', KEYS[1]) "
          + "if n < tonumber(ARGV[2]) then "
          + "  redis.call('ZADD', KEYS[1], now, ARGV[3]) "
          + "  redis.call('PEXPIRE', KEYS[1], window) "
          + "  return {1, n + 1, 0} "
          + "end "
          + "local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') "
          + "return {0, n + 1, tonumber(oldest[2]) + window - now}";

  private final ReactiveRedisDataSource redis;
  private final GatewayConfig config;

  public RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config) {
    this.redis = redis;
    this.config = config;
  }

  /** Counts one request of {@code principal}; tells whether it is within the limit. */
  public Uni<Decision> hit(String principal) {
    long windowMs = Math.max(1000, config.rateLimit().window().toMillis());
    String key = config.rateLimit().keyPrefix() + principal;
    return redis
        .execute(
            "EVAL",
            SCRIPT,
            "1",
            key,
            String.valueOf(windowMs),
            String.valueOf(config.rateLimit().requests()),
            UUID.randomUUID().toString())
        .map(
            (Response r) -> {
              boolean allowed = r.get(0).toLong() == 1;
              long retryAfter = Math.max(1, (r.get(2).toLong() + 999) / 1000);
              return new Decision(allowed, r.get(1).toLong(), retryAfter);
            });
  }

  /** The outcome of counting one request. */
  public record Decision(boolean allowed, long count, long retryAfterSeconds) {}
}
