package io.dataplane.gateway.ratelimit;

import io.dataplane.gateway.config.GatewayConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fixed-window request counting per principal in Redis, shared by every gateway replica: one atomic
 * script increments the window's counter and sets its expiry on first use.
 */
@ApplicationScoped
public class RateLimiter {

  private static final String SCRIPT =
      "local n = redis.call('INCR', KEYS[1]) "
          + "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
          + "return n";

  private final ReactiveRedisDataSource redis;
  private final GatewayConfig config;

  public RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config) {
    this.redis = redis;
    this.config = config;
  }

  /** Counts one request of {@code principal}; tells whether it is within the limit. */
  public Uni<Decision> hit(String principal) {
    long windowMs = Math.max(1000, config.rateLimit().window().toMillis());
    long now = System.currentTimeMillis();
    long window = now / windowMs;
    long resetInMs = (window + 1) * windowMs - now;
    String key = config.rateLimit().keyPrefix() + principal + ":" + window;
    return redis
        .execute("EVAL", SCRIPT, "1", key, String.valueOf(windowMs + 1000))
        .map(
            (Response r) -> {
              long count = r.toLong();
              long retryAfter = Math.max(1, (resetInMs + 999) / 1000);
              return new Decision(count <= config.rateLimit().requests(), count, retryAfter);
            });
  }

  /** The outcome of counting one request. */
  public record Decision(boolean allowed, long count, long retryAfterSeconds) {}
}
