package io.dataplane.scheduler.messaging;

import io.dataplane.common.messaging.DeadLetters;
import io.dataplane.common.messaging.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The thread of the topic-trigger consumer (whose topics change at run time, which a Reactive
 * Messaging channel cannot follow). It runs a session on a consumer until shutdown; after a failure
 * it waits a second and starts a new consumer (and new meters: closing the old one removed its),
 * which resumes from the last commit.
 */
final class ConsumerLoop {

  /** What one consumer does until shutdown; throwing restarts it. */
  interface Session {
    void run(KafkaConsumer<String, byte[]> consumer) throws Exception;
  }

  /** Handles one record. */
  interface Handler {
    void handle(ConsumerRecord<String, byte[]> r) throws Exception;
  }

  /** Sends a record that can never be processed to the dead letters; throws when it cannot. */
  interface DeadLetter {
    void send(ConsumerRecord<String, byte[]> r, String reason, String detail) throws Exception;
  }

  private final String threadName;
  private final String what;
  private final Properties props;
  private final MeterRegistry meters;
  private volatile boolean running;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread thread;

  /** {@code what} names the consumer in the log. */
  ConsumerLoop(String threadName, String what, Properties props, MeterRegistry meters) {
    this.threadName = threadName;
    this.what = what;
    this.props = props;
    this.meters = meters;
  }

  /** Properties of a consumer of string keys and byte values that commits by itself. */
  static Properties properties(
      String bootstrap, String group, String offsetReset, String clientId) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return props;
  }

  void start(Session session) {
    running = true;
    thread = new Thread(() -> loop(session), threadName);
    thread.setDaemon(true);
    thread.start();
  }

  void stop() {
    running = false;
    synchronized (this) {
      notifyAll();
    }
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  boolean running() {
    return running;
  }

  /** Waits that long, or until shutdown. */
  synchronized void pause(Duration d) throws InterruptedException {
    wait(d.toMillis());
  }

  /**
   * Handles the records, then commits them. A record that fails for a transient reason (database
   * down) throws, so that the consumer restarts from the last commit and tries again; one that can
   * never be processed goes to the dead letters.
   */
  void process(
      KafkaConsumer<String, byte[]> c,
      ConsumerRecords<String, byte[]> records,
      Handler handler,
      DeadLetter deadLetter)
      throws Exception {
    for (ConsumerRecord<String, byte[]> r : records) {
      try {
        handler.handle(r);
      } catch (Exception e) {
        if (!running || DeadLetters.isTransient(e)) {
          throw e;
        }
        deadLetter.send(r, DeadLetters.reasonOf(e), DeadLetters.describe(e));
      }
    }
    if (!records.isEmpty()) {
      c.commitSync();
    }
  }

  private void loop(Session session) {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(props, meters)) {
        consumer = c;
        session.run(c);
      } catch (WakeupException e) {
        // shutting down
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (running) {
          Log.warnf("%s failed; restarting: %s", what, e.getMessage());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      } finally {
        consumer = null;
      }
    }
  }
}
