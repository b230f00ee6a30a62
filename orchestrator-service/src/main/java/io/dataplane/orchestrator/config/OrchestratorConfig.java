package io.dataplane.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of orchestrator-service, under {@code dataplane.orchestrator}. */
@ConfigMapping(prefix = "dataplane.orchestrator")
public interface OrchestratorConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("orchestrator")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();
}
