package io.dataplane.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.scheduler.config.SchedulerConfig;
import io.smallrye.config.WithDefault;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The scheduler-events channel's configuration, without Quarkus: the topics PipelineEventsConsumer
 * handles, read by the group the replicas share from the configured offset reset, committed only
 * after a record is handled, and never committed past a record left unhandled.
 */
class PipelineEventsChannelTest {

  private static final String CHANNEL =
      "mp.messaging.incoming." + PipelineEventsConsumer.CHANNEL + ".";

  @Test
  void theChannelReadsPipelineAndRunEventsInTheSharedGroup() throws Exception {
    Properties p = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
      p.load(in);
    }
    assertThat(List.of(p.getProperty(CHANNEL + "topics").split(",")))
        .isEqualTo(PipelineEventsConsumer.topics());
    // the keys (and defaults) of SchedulerConfig, as the hand-built consumer used them
    assertThat(p.getProperty(CHANNEL + "group.id"))
        .isEqualTo("${dataplane.scheduler.consumer-group:" + defaultOf("consumerGroup") + "}");
    assertThat(p.getProperty(CHANNEL + "auto.offset.reset"))
        .isEqualTo(
            "${dataplane.scheduler.consumer-offset-reset:"
                + defaultOf("consumerOffsetReset")
                + "}");
    assertThat(p.getProperty(CHANNEL + "enable.auto.commit")).isEqualTo("false");
    assertThat(p.getProperty(CHANNEL + "commit-strategy")).isEqualTo("throttled");
    assertThat(p.getProperty(CHANNEL + "throttled.unprocessed-record-max-age.ms")).isEqualTo("0");
    assertThat(p.getProperty(CHANNEL + "failure-strategy")).isEqualTo("fail");
    // a poll is one batch, and a fetch waits for records (at most 200 ms) instead of returning
    // each one: the channel's CPU per task halved with these (ADR 0004)
    assertThat(p.getProperty(CHANNEL + "batch")).isEqualTo("true");
    assertThat(Integer.parseInt(p.getProperty(CHANNEL + "fetch.min.bytes"))).isGreaterThan(1);
    assertThat(Integer.parseInt(p.getProperty(CHANNEL + "fetch.max.wait.ms"))).isBetween(1, 200);
    assertThat(p.getProperty(CHANNEL + "consumer-rebalance-listener.name"))
        .isEqualTo(PipelineEventsConsumer.CHANNEL);
  }

  private static String defaultOf(String method) throws NoSuchMethodException {
    return SchedulerConfig.class.getMethod(method).getAnnotation(WithDefault.class).value();
  }
}
