package io.dataplane.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The live-events channel's configuration, without Quarkus: the topics LiveEvents dispatches, and a
 * consumer of its own per gateway start that reads from the latest offsets and commits nothing.
 */
class LiveEventsChannelTest {

  private static final String CHANNEL = "mp.messaging.incoming." + LiveEvents.CHANNEL + ".";

  @Test
  void theChannelReadsRunEventsLogChunksAndHeartbeatsFromTheLatestOffsets() throws IOException {
    Properties p = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
      p.load(in);
    }
    assertThat(Set.of(p.getProperty(CHANNEL + "topics").split(","))).isEqualTo(LiveEvents.topics());
    assertThat(p.getProperty(CHANNEL + "group.id")).endsWith("-${quarkus.uuid}");
    assertThat(p.getProperty(CHANNEL + "auto.offset.reset")).isEqualTo("latest");
    assertThat(p.getProperty(CHANNEL + "enable.auto.commit")).isEqualTo("false");
    assertThat(p.getProperty(CHANNEL + "commit-strategy")).isEqualTo("ignore");
    assertThat(p.getProperty(CHANNEL + "failure-strategy")).isEqualTo("ignore");
    assertThat(p.getProperty(CHANNEL + "consumer-rebalance-listener.name"))
        .isEqualTo(LiveEventsAssignment.NAME);
  }
}
