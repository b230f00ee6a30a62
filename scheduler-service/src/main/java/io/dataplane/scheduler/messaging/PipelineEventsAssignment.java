package io.dataplane.scheduler.messaging;

import io.dataplane.common.messaging.KafkaClients;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The rebalance listener of the {@value PipelineEventsConsumer#CHANNEL} channel: commits where the
 * group starts on partitions it has no offset for yet, so that a restart resumes there even with
 * {@code latest}: otherwise what was published while every instance was down would be skipped on
 * partitions that had seen nothing before.
 */
@ApplicationScoped
@Identifier(PipelineEventsConsumer.CHANNEL)
public class PipelineEventsAssignment implements KafkaConsumerRebalanceListener {

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> parts) {
    try {
      KafkaClients.commitStartOffsets(consumer, parts);
    } catch (RuntimeException e) {
      Log.warnf("could not commit the start offsets of %s: %s", parts, e.toString());
    }
  }
}
