package io.dataplane.orchestrator.scenario;

import static io.dataplane.orchestrator.Api.api;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptOutcome;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.CancelAttempt;
import io.dataplane.common.events.Event;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A worker for scenario tests: consumes the dispatch topic of its own worker group, claims through
 * REST, answers on the real topics as its behaviour says, heartbeats and obeys CancelAttempt.
 */
public final class TestWorker implements AutoCloseable {

  private static final String BOOTSTRAP = "127.0.0.1:9092";

  /** What to do with one dispatched attempt. */
  public sealed interface Action {}

  /** Succeed after a delay, with outputs (may be null). */
  public record Succeed(long delayMillis, Map<String, Object> outputs) implements Action {}

  /** Fail after a delay. */
  public record Fail(long delayMillis, String error) implements Action {}

  /** Claim and start, then never answer (a hung process, or a worker that died). */
  public record Hang() implements Action {}

  /**
   * Claim and start, then drop the attempt from the heartbeats without a result: its
   * AttemptFinished was lost on the way.
   */
  public record Vanish() implements Action {}

  /**
   * Succeed after a delay, with heartbeats late the whole time: the heartbeat built just before the
   * claim (without the attempt) is read only after the claim, and the next ones only once the
   * result was sent (as under a loaded heartbeat consumer).
   */
  public record LateBeats(long delayMillis) implements Action {}

  /** Do not claim at all. */
  public record Ignore() implements Action {}

  public static Action ok() {
    return new Succeed(0, null);
  }

  public final String environment;
  public final String group;
  public final String workerId;
  private final Function<TaskDispatched, Action> behaviour;
  private final EventCodec codec = new EventCodec();
  private final KafkaProducer<String, byte[]> producer;
  private final List<TaskDispatched> dispatched = new CopyOnWriteArrayList<>();
  private final List<TaskDispatched> claimed = new CopyOnWriteArrayList<>();
  private final List<Integer> claimStatuses = new CopyOnWriteArrayList<>();
  private final List<CancelAttempt> cancels = new CopyOnWriteArrayList<>();
  private final Map<String, WorkerHeartbeat.RunningAttempt> running = new ConcurrentHashMap<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
  // heartbeats on a thread of their own, never behind a burst of results
  private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
  private volatile boolean open = true;
  private volatile boolean heartbeating = true;
  private final Thread dispatchThread;
  private final Thread controlThread;

  public TestWorker(String environment, String group, Function<TaskDispatched, Action> behaviour) {
    this.environment = environment;
    this.group = group;
    this.workerId = "test-worker-" + UUID.randomUUID().toString().substring(0, 8);
    this.behaviour = behaviour;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    CountDownLatch ready = new CountDownLatch(2);
    dispatchThread =
        new Thread(
            () ->
                consume(
                    Topics.taskDispatch(environment, group), "earliest", ready, this::onDispatch));
    controlThread =
        new Thread(() -> consume(Topics.TASK_CONTROL, "latest", ready, this::onControl));
    dispatchThread.setDaemon(true);
    controlThread.setDaemon(true);
    dispatchThread.start();
    controlThread.start();
    try {
      ready.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    beats.scheduleWithFixedDelay(this::heartbeat, 0, 300, TimeUnit.MILLISECONDS);
  }

  private void consume(
      String topic,
      String reset,
      CountDownLatch ready,
      java.util.function.Consumer<Event> handler) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, workerId + "-" + topic);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> parts) {}

            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> parts) {
              parts.forEach(c::position);
              ready.countDown();
            }
          });
      while (open) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          try {
            handler.accept(codec.decode(r.value()).payload());
          } catch (RuntimeException e) {
            // not an event of ours
          }
        }
      }
    }
  }

  private void onControl(Event e) {
    if (e instanceof CancelAttempt c && workerId.equals(c.workerId())) {
      cancels.add(c);
      if (running.remove(c.taskRunId() + "/" + c.attempt()) != null) {
        send(
            new AttemptFinished(
                c.runId(),
                c.taskRunId(),
                c.attempt(),
                workerId,
                AttemptOutcome.CANCELLED,
                null,
                null,
                "cancelled: " + c.reason(),
                0,
                Instant.now()));
      }
    }
  }

  private void onDispatch(Event e) {
    if (!(e instanceof TaskDispatched d)) {
      return;
    }
    dispatched.add(d);
    Action a = behaviour.apply(d);
    if (a instanceof Ignore) {
      return;
    }
    pool.submit(
        () -> {
          try {
            execute(d, a);
          } catch (Throwable t) {
            // a test worker thread must not die silently
            t.printStackTrace();
          }
        });
  }

  /** Claims through REST; true when the claim was granted. */
  public int claim(TaskDispatched d) {
    // like a real worker, keep trying while the orchestrator cannot be reached (restarting)
    long until = System.currentTimeMillis() + 120_000;
    while (true) {
      try {
        int status =
            api()
                .contentType("application/json")
                .body(
                    Map.of(
                        "taskRunId", d.taskRunId(), "attempt", d.attempt(), "workerId", workerId))
                .post("/api/v1/attempts/claim")
                .statusCode();
        if (status >= 500 && System.currentTimeMillis() < until) {
          sleep(500);
          continue;
        }
        claimStatuses.add(status);
        return status;
      } catch (Exception e) { // rest-assured rethrows ConnectException without declaring it
        if (!open || System.currentTimeMillis() > until) {
          claimStatuses.add(-1);
          return -1;
        }
        sleep(500);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void execute(TaskDispatched d, Action a) {
    EventEnvelope<?> beforeClaim = null;
    if (a instanceof LateBeats) {
      heartbeating = false;
      beforeClaim = EventEnvelope.of("worker-service", heartbeatNow());
    }
    if (claim(d) != 200) {
      heartbeating = true;
      return;
    }
    claimed.add(d);
    String key = d.taskRunId() + "/" + d.attempt();
    if (a instanceof LateBeats late) {
      send(beforeClaim);
      running.put(key, new WorkerHeartbeat.RunningAttempt(d.runId(), d.taskRunId(), d.attempt()));
      send(new AttemptStarted(d.runId(), d.taskRunId(), d.attempt(), workerId, Instant.now()));
      timer.schedule(
          () -> {
            finish(d, key, AttemptOutcome.SUCCEEDED, 0, null, null);
            heartbeating = true;
          },
          late.delayMillis(),
          TimeUnit.MILLISECONDS);
      return;
    }
    if (a instanceof Vanish) {
      send(new AttemptStarted(d.runId(), d.taskRunId(), d.attempt(), workerId, Instant.now()));
      return;
    }
    running.put(key, new WorkerHeartbeat.RunningAttempt(d.runId(), d.taskRunId(), d.attempt()));
    send(new AttemptStarted(d.runId(), d.taskRunId(), d.attempt(), workerId, Instant.now()));
    send(
        new LogChunk(
            d.runId(),
            d.taskRunId(),
            d.attempt(),
            List.of(
                new LogChunk.Line(1, Instant.now(), "stdout", "start " + d.taskKey()),
                new LogChunk.Line(2, Instant.now(), "stdout", "inputs " + d.inputs().keySet())),
            false));
    if (a instanceof Succeed s) {
      timer.schedule(
          () -> finish(d, key, AttemptOutcome.SUCCEEDED, 0, s.outputs(), null),
          s.delayMillis(),
          TimeUnit.MILLISECONDS);
    } else if (a instanceof Fail f) {
      timer.schedule(
          () -> finish(d, key, AttemptOutcome.FAILED, 1, null, f.error()),
          f.delayMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private void finish(
      TaskDispatched d,
      String key,
      AttemptOutcome outcome,
      Integer exit,
      Map<String, Object> outputs,
      String error) {
    if (!running.containsKey(key)) {
      return; // cancelled meanwhile
    }
    send(
        new LogChunk(
            d.runId(),
            d.taskRunId(),
            d.attempt(),
            List.of(new LogChunk.Line(3, Instant.now(), "stdout", "end " + outcome)),
            true));
    send(
        new AttemptFinished(
            d.runId(),
            d.taskRunId(),
            d.attempt(),
            workerId,
            outcome,
            exit,
            outputs,
            error,
            1,
            Instant.now()));
    // like a real worker: reported in heartbeats until its result is acknowledged
    running.remove(key);
  }

  /**
   * Sends an event as this worker would (also for tests that forge duplicates); a start or result
   * without a token gets the token of the attempt it names, as a real worker's carries.
   */
  public EventEnvelope<?> send(Event e) {
    if (e instanceof AttemptStarted s && s.attemptToken() == null) {
      e =
          new AttemptStarted(
              s.runId(),
              s.taskRunId(),
              s.attempt(),
              s.workerId(),
              s.startedAt(),
              tokenOf(s.taskRunId(), s.attempt()));
    } else if (e instanceof AttemptFinished f && f.attemptToken() == null) {
      e = f.withToken(tokenOf(f.taskRunId(), f.attempt()));
    }
    return sendAsIs(e);
  }

  /** Sends an event exactly as given (a forged start or result without the attempt's token). */
  public EventEnvelope<?> sendAsIs(Event e) {
    EventEnvelope<?> env = EventEnvelope.of("worker-service", e);
    send(env);
    return env;
  }

  public void send(EventEnvelope<?> env) {
    String topic =
        env.payload() instanceof LogChunk
            ? Topics.TASK_LOGS
            : env.payload() instanceof WorkerHeartbeat
                ? Topics.WORKER_HEARTBEATS
                : Topics.TASK_EVENTS;
    try {
      producer.send(new ProducerRecord<>(topic, workerId, codec.encode(env))).get();
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  private void heartbeat() {
    if (!heartbeating || !open) {
      return;
    }
    try {
      send(heartbeatNow());
    } catch (RuntimeException e) {
      // closing
    }
  }

  private WorkerHeartbeat heartbeatNow() {
    return new WorkerHeartbeat(
        workerId,
        List.of(environment + "/" + group),
        "test",
        0.1,
        1_000_000,
        8_000_000,
        0.5,
        8,
        8 - running.size(),
        new ArrayList<>(running.values()),
        Instant.now(),
        false,
        "bwrap");
  }

  /** Stops (or resumes) heartbeats, as a worker that hangs or loses its network would. */
  public void silent(boolean silent) {
    heartbeating = !silent;
  }

  private String tokenOf(java.util.UUID taskRunId, int attempt) {
    return dispatched.stream()
        .filter(d -> d.taskRunId().equals(taskRunId) && d.attempt() == attempt)
        .map(TaskDispatched::attemptToken)
        .findFirst()
        .orElse(null);
  }

  public List<TaskDispatched> dispatched() {
    return dispatched;
  }

  public List<TaskDispatched> claimed() {
    return claimed;
  }

  public List<Integer> claimStatuses() {
    return claimStatuses;
  }

  public List<CancelAttempt> cancels() {
    return cancels;
  }

  public Map<String, WorkerHeartbeat.RunningAttempt> running() {
    return running;
  }

  @Override
  public void close() {
    open = false;
    timer.shutdownNow();
    beats.shutdownNow();
    pool.shutdownNow();
    try {
      dispatchThread.join(3000);
      controlThread.join(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(2));
  }
}
