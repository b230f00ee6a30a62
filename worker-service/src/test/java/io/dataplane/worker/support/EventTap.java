package io.dataplane.worker.support;

import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads topics from their current end in the background and keeps every event it decodes. */
public final class EventTap implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  public EventTap(String bootstrap, List<String> topics) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : topics) {
      // a topic nobody has written to yet is created by this request; ask until it has partitions
      List<PartitionInfo> infos = List.of();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (infos.isEmpty() && System.nanoTime() < deadline) {
        infos = consumer.partitionsFor(t, Duration.ofSeconds(10));
        if (infos.isEmpty()) {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      if (infos.isEmpty()) {
        throw new IllegalStateException("topic " + t + " has no partitions");
      }
      for (PartitionInfo i : infos) {
        parts.add(new TopicPartition(i.topic(), i.partition()));
      }
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position);
    EventCodec codec = new EventCodec();
    thread =
        new Thread(
            () -> {
              try {
                while (running) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                      EventEnvelope<? extends Event> e = codec.decode(r.value());
                      events.add(e.payload());
                    } catch (RuntimeException ignored) {
                      // not an event of ours
                    }
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                consumer.close();
              }
            },
            "event-tap");
    thread.setDaemon(true);
    thread.start();
  }

  @SuppressWarnings("unchecked")
  public <T extends Event> List<T> of(Class<T> type, Predicate<T> filter) {
    List<T> out = new ArrayList<>();
    for (Event e : events) {
      if (type.isInstance(e) && filter.test((T) e)) {
        out.add((T) e);
      }
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(5000);
  }
}
