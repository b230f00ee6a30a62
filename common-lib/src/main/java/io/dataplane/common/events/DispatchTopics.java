package io.dataplane.common.events;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The dispatch topic of a worker group (of one environment) has one partition: its workers read it
 * as one share group, and a share group spreads a partition over several consumers only when they
 * outnumber the partitions (with more partitions, each worker would hold some partitions alone, and
 * a busy worker's dispatches would wait while another worker idles). Created by whoever needs it
 * first, the orchestrator or a worker, rather than by the broker's auto-creation and its partition
 * count.
 */
public final class DispatchTopics {

  /** Partitions of a dispatch topic. */
  public static final int PARTITIONS = 1;

  private DispatchTopics() {}

  /**
   * Creates the dispatch topic of an environment's worker group unless it exists (replication: the
   * broker's default) and returns its number of partitions.
   */
  public static int ensure(Admin admin, WorkerGroupRef workerGroup, long timeoutMillis)
      throws ExecutionException, InterruptedException, TimeoutException {
    String topic = workerGroup.dispatchTopic();
    try {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty())))
          .all()
          .get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(timeoutMillis, TimeUnit.MILLISECONDS)
        .get(topic)
        .partitions()
        .size();
  }
}
