package io.dataplane.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dataplane.common.events.WorkerGroupRef;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dataplane.worker.groups} takes environment/group pairs and nothing else. */
class WorkerGroupsConfigTest {

  private static WorkerConfig load(String groups) {
    Map<String, String> p = new HashMap<>();
    p.put("dataplane.worker.orchestrator-url", "http://localhost:1");
    p.put("dataplane.worker.secrets-url", "http://localhost:1");
    p.put("dataplane.worker.filestore-url", "http://localhost:1");
    if (groups != null) {
      p.put("dataplane.worker.groups", groups);
    }
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors()
            .addSystemSources()
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(WorkerConfig.class)
            .withSources(new PropertiesConfigSource(p, "test", 500))
            .build();
    return config.getConfigMapping(WorkerConfig.class);
  }

  @Test
  void takesEnvironmentGroupPairs() {
    assertThat(load("prod/default,prod/etl").groups())
        .containsExactly(new WorkerGroupRef("prod", "default"), new WorkerGroupRef("prod", "etl"));
  }

  @Test
  void refusesABareGroupAtStartWithTheFormItWants() {
    assertThatThrownBy(() -> load("prod/default,default"))
        .hasStackTraceContaining("worker group 'default' names no environment")
        .hasStackTraceContaining("prod/default");
  }

  @Test
  void refusesMalformedEntriesAndAMissingList() {
    assertThatThrownBy(() -> load("prod/etl/x")).hasStackTraceContaining("more than one '/'");
    assertThatThrownBy(() -> load("PROD/etl")).hasStackTraceContaining("invalid environment name");
    assertThatThrownBy(() -> load(null)).hasStackTraceContaining("dataplane.worker.groups");
  }
}
