package io.dataplane.filestore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of filestore-service, under {@code dataplane.filestore}. */
@ConfigMapping(prefix = "dataplane.filestore")
public interface FilestoreConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("filestore")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();
}
