package io.dataplane.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Configuration of scheduler-service, under {@code dataplane.scheduler}. */
@ConfigMapping(prefix = "dataplane.scheduler")
public interface SchedulerConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("scheduler")
  String schema();

  /** Name this instance reports in logs and in the fire ledger (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();

  /** Leadership (a PostgreSQL advisory lock on a dedicated connection). */
  Leader leader();

  /** A due fire later than this is a misfire and follows the schedule's misfire policy. */
  @WithDefault("60S")
  Duration misfireThreshold();

  /** Fires due together are written in transactions of at most this many. */
  @WithDefault("250")
  int fireBatchSize();

  /**
   * How long before a fire instant the leader wakes to plan the fires, encode their events and
   * write them in a transaction that commits at the instant (never before it).
   */
  @WithDefault("150MS")
  Duration firePrepareAhead();

  /** How many fire transactions may run at once. */
  @WithDefault("4")
  int fireParallelism();

  /** Kafka consumer group reading pipeline and run events. */
  @WithDefault("scheduler-service")
  String consumerGroup();

  /** Where a new consumer group starts reading: earliest or latest. */
  @WithDefault("earliest")
  String consumerOffsetReset();

  /** How often the outbox relay sweeps for rows a crash left unsent. */
  @WithDefault("5S")
  Duration outboxSweep();

  /** Largest N of a preview. */
  @WithDefault("200")
  int previewMax();

  /** Backfills. */
  Backfill backfill();

  /**
   * Base URL of secrets-service, which checks HMAC webhook signatures with the signing key it holds
   * (the key never leaves it); unset: HMAC webhooks are refused.
   */
  Optional<String> secretsUrl();

  /** Event triggers (docs/triggers.md). */
  Triggers triggers();

  /**
   * Base URL of orchestrator-service, to check that an environment exists and to read an upstream
   * run's outputs for completion triggers; unset: no check, and no outputs.
   */
  Optional<String> orchestratorUrl();

  /** The fire ledger's retention. */
  Ledger ledger();

  /** The fire ledger's retention (a sweep every ten minutes, in bounded batches). */
  interface Ledger {
    /**
     * Days a fire stays in the ledger after it fired; the newest fire of each schedule is always
     * kept. 0 keeps the ledger forever.
     */
    @WithDefault("365")
    int retentionDays();

    /** Rows one delete of the sweep removes at most (each batch is its own transaction). */
    @WithDefault("5000")
    int sweepBatch();

    /** Batches one sweep runs at most; the next sweep goes on where it stopped. */
    @WithDefault("100")
    int sweepMaxBatches();
  }

  /** Leadership settings. */
  interface Leader {
    /** How often a standby tries to take the lock. */
    @WithDefault("1S")
    Duration retryInterval();

    /** How often the leader checks that its lock connection is alive. */
    @WithDefault("1S")
    Duration checkInterval();

    /**
     * How long the lock session may go without a word from the leader before the server ends it
     * (PostgreSQL {@code idle_session_timeout}, with TCP keepalives and {@code tcp_user_timeout} of
     * the same order); also the leader's read timeout on that connection. A leader cut off from the
     * database (a partition, a black-holed connection) loses the lock after this, so a standby
     * leads within this plus {@code retry-interval}. Must exceed {@code check-interval}.
     */
    @WithDefault("5S")
    Duration sessionTimeout();

    /** First key of the two-key advisory lock (the second is derived from the schema). */
    @WithDefault("1146310467")
    int lockKey();
  }

  /** Backfill settings. */
  interface Backfill {
    /** Most fire times one backfill may cover. */
    @WithDefault("1000")
    int maxFires();

    /**
     * A requested backfill run not yet seen on dataplane.run-events counts as running this long.
     */
    @WithDefault("30S")
    Duration startGrace();
  }

  /** Event trigger settings. */
  interface Triggers {
    /**
     * Most completion triggers in a row (A's end starts B, B's end starts C, …): a fire deeper than
     * this is recorded failed and starts nothing. Loops are refused when created; this bounds
     * chains.
     */
    @WithDefault("10")
    int maxChainDepth();

    /** A webhook delivery id seen within this window is a replay and is refused. */
    @WithDefault("24H")
    Duration replayWindow();

    /** Largest webhook body or Kafka message (bytes) that may become params. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** Kafka consumer group of the topic triggers (external topics). */
    @WithDefault("scheduler-service-topic-triggers")
    String consumerGroup();

    /**
     * Where the topic-trigger consumer group starts on a partition it has no offset for: latest (a
     * new trigger does not replay a topic's history) or earliest.
     */
    @WithDefault("latest")
    String topicOffsetReset();

    /** How often the topic-trigger consumer re-reads which topics it must follow. */
    @WithDefault("5S")
    Duration topicRefresh();
  }
}
