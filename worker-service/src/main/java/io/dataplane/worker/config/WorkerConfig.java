package io.dataplane.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of worker-service, under {@code dataplane.worker}. */
@ConfigMapping(prefix = "dataplane.worker")
public interface WorkerConfig {

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();
}
