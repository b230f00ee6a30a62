package io.dataplane.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Configuration of orchestrator-service, under {@code dataplane.orchestrator}. */
@ConfigMapping(prefix = "dataplane.orchestrator")
public interface OrchestratorConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("orchestrator")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();

  /** A worker silent this long is LOST and its running attempts are re-queued. */
  @WithDefault("5s")
  Duration workerLostAfter();

  /** How often the worker registry is checked for silent workers (and gauges refreshed). */
  @WithDefault("1s")
  Duration workerCheckInterval();

  /**
   * An attempt dispatched this long ago and still not claimed, while a worker of its group has a
   * free slot, is dispatched again (same attempt): its record was lost on the way (a broker gave up
   * on it after too many deliveries, a topic was recreated). A second copy is harmless: only one
   * claim of an attempt succeeds.
   */
  @WithDefault("60s")
  Duration redispatchAfter();

  /**
   * How long tasks of a worker group wait while no live worker serves it before the orchestrator
   * tells it ({@code WorkerGroupUnserved}, notification event {@code NO_WORKER}), once per outage.
   */
  @WithDefault("60s")
  Duration unservedAlertAfter();

  /** Added to a task's timeout before the orchestrator itself fails the attempt as TIMED_OUT. */
  @WithDefault("5s")
  Duration timeoutGrace();

  /** Added to the attempt's timeout (or the run's maxDuration) for an attempt token's expiry. */
  @WithDefault("1h")
  Duration attemptTokenMargin();

  /** Kafka consumer group of the orchestrator's consumers. */
  @WithDefault("orchestrator-service")
  String consumerGroup();

  /** Where a new consumer group starts reading: earliest or latest. */
  @WithDefault("earliest")
  String consumerOffsetReset();

  /** Period of the outbox sweep for rows a crash left unsent (commits wake the relay at once). */
  @WithDefault("5s")
  Duration outboxSweep();

  /**
   * Base URL of secrets-service; when set, a promotion checks that every secret the pipeline
   * declares exists in the target environment. Unset: the check is skipped.
   */
  java.util.Optional<String> secretsUrl();

  /** Largest output object a task may write (serialized JSON bytes). */
  @WithDefault("65536")
  int maxOutputBytes();

  /** Largest run params (serialized JSON bytes); a larger start is refused with TOO_LARGE. */
  @WithDefault("262144")
  int maxParamsBytes();

  /**
   * Largest total inputs of a task (the JSON of its upstream tasks' outputs); a task whose inputs
   * are larger fails before dispatch with INPUTS_TOO_LARGE.
   */
  @WithDefault("1048576")
  int maxInputsBytes();

  /**
   * Largest TaskDispatched record (JSON bytes: script, params, inputs, token); a larger one fails
   * its task with INPUTS_TOO_LARGE instead of being sent. Keep it below the producer's
   * max.request.size and the broker's message.max.bytes (both 1 MiB by default).
   */
  @WithDefault("1000000")
  int maxDispatchBytes();

  /**
   * An attempt CLAIMED or RUNNING on a live worker whose heartbeats (built at least 5 s after its
   * claim) have left it out for this long, with the task events read to their end since, is
   * re-queued as a new attempt: its result was lost. 0 turns this off.
   */
  @WithDefault("60s")
  Duration attemptUnreportedAfter();

  /** Task log retention (platform defaults; an environment may set its own). */
  Logs logs();

  /** Draft history. */
  Drafts drafts();

  /** Draft history: the saved versions of each pipeline's draft. */
  interface Drafts {

    /** Versions kept per pipeline; saving one more prunes the oldest. */
    @WithDefault("200")
    int keep();
  }

  /** Task log retention. */
  interface Logs {

    /**
     * Days a finished run's task logs are kept, unless its environment sets its own; 0 keeps them
     * forever.
     */
    @WithDefault("30")
    int retentionDays();

    /**
     * Most bytes of task logs one run stores, unless its environment sets its own; further lines
     * are dropped and one marker line says how much. 0: no cap.
     */
    @WithDefault("104857600")
    long maxBytesPerRun();

    /** How often the retention sweep runs. */
    @WithDefault("1h")
    Duration sweepInterval();

    /** Rows one delete of the sweep removes at most (each batch is its own transaction). */
    @WithDefault("5000")
    int sweepBatch();

    /** Batches one sweep runs at most; the next sweep goes on where it stopped. */
    @WithDefault("200")
    int sweepMaxBatches();
  }
}
