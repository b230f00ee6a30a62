package io.dataplane.gateway.live;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The rebalance listener of the {@value LiveEvents#CHANNEL} channel: tells when the consumer holds
 * its partitions, for the readiness check.
 */
@ApplicationScoped
@Identifier(LiveEventsAssignment.NAME)
public class LiveEventsAssignment implements KafkaConsumerRebalanceListener {

  /** The name the channel's {@code consumer-rebalance-listener.name} gives. */
  public static final String NAME = "gateway-live-events";

  private volatile boolean assigned;

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    // resolve the "latest" positions now, so that nothing after this point is missed
    for (TopicPartition tp : partitions) {
      consumer.position(tp);
    }
    assigned = true;
  }

  /** True once the consumer has had its partitions assigned. */
  public boolean assigned() {
    return assigned;
  }
}
