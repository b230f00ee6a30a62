package io.dataplane.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceIdsTest {

  @Test
  void theHostnameVariableWinsWhenSet() {
    // in Kubernetes: the pod's name, unique per worker
    assertThat(InstanceIds.defaultId("worker-default-7d9f-abcde", () -> "node-1", 7))
        .isEqualTo("worker-default-7d9f-abcde");
  }

  @Test
  void withoutItTheHostNameAndPidTellTwoLocalWorkersApart() {
    assertThat(InstanceIds.defaultId(null, () -> "devbox", 12345)).isEqualTo("devbox-12345");
    assertThat(InstanceIds.defaultId("  ", () -> "devbox", 12346)).isEqualTo("devbox-12346");
    assertThat(InstanceIds.defaultId(null, () -> "devbox", 1))
        .isNotEqualTo(InstanceIds.defaultId(null, () -> "devbox", 2));
  }

  @Test
  void anUnknownHostNameStillGivesAnId() {
    assertThat(InstanceIds.defaultId(null, () -> null, 42)).isEqualTo("local-42");
    assertThat(InstanceIds.defaultId(null, () -> "", 42)).isEqualTo("local-42");
  }

  @Test
  void thisProcessGetsItsOwnId() {
    String hostname = System.getenv("HOSTNAME");
    String id = InstanceIds.local();
    if (hostname == null || hostname.isBlank()) {
      assertThat(id).endsWith("-" + ProcessHandle.current().pid());
    } else {
      assertThat(id).isEqualTo(hostname.strip());
    }
    assertThat(InstanceIds.hostName()).isNotBlank();
  }

  @Test
  void theConfigurationFallsBackToTheDefaultAndHonoursAnExplicitId() {
    assertThat(mapping(Map.of()).instanceId()).isEqualTo(InstanceIds.local());
    assertThat(mapping(Map.of("dataplane.worker.instance-id", "w-7")).instanceId())
        .isEqualTo("w-7");
  }

  private static WorkerConfig mapping(Map<String, String> values) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(WorkerConfig.class)
            .withConverter(Duration.class, 100, new DurationConverter()) // "1s", as in Quarkus
            .withDefaultValues(Map.of("dataplane.worker.groups", "dev/default")) // required
            .withDefaultValues(values)
            .build();
    return config.getConfigMapping(WorkerConfig.class);
  }
}
