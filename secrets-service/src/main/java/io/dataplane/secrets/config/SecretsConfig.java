package io.dataplane.secrets.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of secrets-service, under {@code dataplane.secrets}. */
@ConfigMapping(prefix = "dataplane.secrets")
public interface SecretsConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("secrets")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();
}
