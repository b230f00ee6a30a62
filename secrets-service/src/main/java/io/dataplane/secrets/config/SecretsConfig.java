package io.dataplane.secrets.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of secrets-service, under {@code dataplane.secrets}.
 *
 * <p>Master keys themselves are {@code dataplane.secrets.master-keys."<version>"=<base64>} (or the
 * environment variables {@code DATAPLANE_SECRETS_MASTER_KEYS_<VERSION>}) and/or files in {@link
 * #masterKeyDir()}; see {@code service.MasterKeyProvider}.
 */
@ConfigMapping(prefix = "dataplane.secrets")
public interface SecretsConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("secrets")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();

  /**
   * Master keys by version, base64 of 32 random bytes (read by {@code MasterKeyProvider}, which
   * also takes {@code DATAPLANE_SECRETS_MASTER_KEYS_<VERSION>} environment variables).
   */
  Map<String, String> masterKeys();

  /** The master key version that wraps new data keys (a file {@code active} in the dir wins). */
  Optional<String> activeMasterKey();

  /** A directory of master key files (a mounted Kubernetes Secret), re-read periodically. */
  Optional<String> masterKeyDir();

  /** How often the master key directory is re-read. */
  @WithDefault("30s")
  Duration masterKeyReloadInterval();

  /** Largest secret value accepted, in bytes of UTF-8. */
  @WithDefault("65536")
  int maxValueBytes();

  /** How long relayed SecretChanged events stay in the outbox table. */
  @WithDefault("168h")
  Duration outboxRetention();

  /** The background job that re-wraps data keys under the active master key. */
  Rewrap rewrap();

  /** Where environments are checked. */
  Orchestrator orchestrator();

  /** Re-wrap job settings. */
  interface Rewrap {
    /** Pause between two passes of the re-wrap job. */
    @WithDefault("10s")
    Duration interval();

    /** Data keys re-wrapped per transaction. */
    @WithDefault("100")
    int batchSize();

    /** Whether the background job runs in this instance. */
    @WithDefault("true")
    boolean enabled();
  }

  /** The orchestrator, owner of environments. */
  interface Orchestrator {
    /** Base URL of orchestrator-service. */
    @WithDefault("http://127.0.0.1:8081")
    String url();

    /** How long an environment known to exist is remembered. */
    @WithDefault("30s")
    Duration cacheTtl();

    /** How long an unknown environment is remembered. */
    @WithDefault("3s")
    Duration negativeCacheTtl();

    /**
     * How long "this attempt is current" is remembered; a finished or superseded attempt's token
     * may still resolve for this long after it ends.
     */
    @WithDefault("2s")
    Duration attemptCacheTtl();

    /** Timeout of one call. */
    @WithDefault("3s")
    Duration timeout();
  }
}
