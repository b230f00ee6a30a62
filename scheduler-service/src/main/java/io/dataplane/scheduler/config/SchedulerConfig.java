package io.dataplane.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of scheduler-service, under {@code dataplane.scheduler}. */
@ConfigMapping(prefix = "dataplane.scheduler")
public interface SchedulerConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("scheduler")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();
}
