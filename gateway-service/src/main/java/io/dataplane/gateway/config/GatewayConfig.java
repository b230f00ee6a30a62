package io.dataplane.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of gateway-service, under {@code dataplane.gateway}. */
@ConfigMapping(prefix = "dataplane.gateway")
public interface GatewayConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("gateway")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();

  /**
   * The gateway's service tokens, comma-separated; it sends the first ({@code Authorization: Bearer
   * ...}).
   */
  String serviceToken();

  /**
   * Token subjects ({@code sub}, never user names) of the platform admins from the start, before
   * any role binding exists; unset: only holders of {@link #adminRole()} are admins.
   */
  Optional<List<String>> admins();

  /** OIDC realm role that makes its holder a platform admin. */
  @WithDefault("dataplane-admin")
  String adminRole();

  /** OIDC claim holding the user's groups (role bindings may name a group). */
  @WithDefault("groups")
  String groupsClaim();

  /** API keys. */
  ApiKeys apiKeys();

  /** Rate limits, counted per principal in Redis. */
  RateLimit rateLimit();

  /** GraphQL request limits. */
  Graphql graphql();

  /** Live updates (subscriptions) from Kafka. */
  Live live();

  /** The audit log. */
  Audit audit();

  /** Webhook deliveries at {@code POST /api/v1/hooks/{id}} (docs/triggers.md). */
  Hooks hooks();

  interface Hooks {
    /**
     * Largest delivery body (bytes); a larger one is refused with 413 before it reaches a trigger.
     */
    @WithDefault("1048576")
    int maxBodyBytes();
  }

  interface Audit {
    /** Entries older than this are deleted by a periodic sweep. */
    @WithDefault("P365D")
    Duration retention();

    /** How often the sweep runs (on every replica; deleting is idempotent). */
    @WithDefault("PT1H")
    Duration sweepInterval();
  }

  interface ApiKeys {
    /** Lifetime of a key when its creator names none. */
    @WithDefault("P90D")
    Duration defaultTtl();

    /** Longest lifetime a key may have. */
    @WithDefault("P365D")
    Duration maxTtl();
  }

  interface RateLimit {
    /** Whether requests are rate limited at all. */
    @WithDefault("true")
    boolean enabled();

    /** Requests one principal may make per window. */
    @WithDefault("600")
    int requests();

    /** Length of the counting window. */
    @WithDefault("PT1M")
    Duration window();

    /** Prefix of the Redis keys (separates gateway deployments sharing one Redis). */
    @WithDefault("dataplane:gateway:rl:")
    String keyPrefix();
  }

  interface Graphql {
    /** Largest accepted GraphQL request body, in bytes. */
    @WithDefault("262144")
    int maxBodyBytes();
  }

  interface Live {
    /** Whether the Kafka consumers feeding subscriptions run. */
    @WithDefault("true")
    boolean enabled();

    /** Page size used when reading stored log lines before the live tail. */
    @WithDefault("500")
    int logPageSize();

    /** Subscriptions one caller (user or API key) may have open at once on one gateway. */
    @WithDefault("20")
    int maxSubscriptionsPerCaller();

    /** A subscription ends after this (the client subscribes again and is authorized again). */
    @WithDefault("PT4H")
    Duration maxLifetime();

    /**
     * How often every open subscription is authorized again (also at once on this gateway when role
     * bindings or API keys change).
     */
    @WithDefault("PT1M")
    Duration recheckInterval();
  }
}
