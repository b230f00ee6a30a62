package io.dataplane.scheduler;

import io.dataplane.scheduler.config.SchedulerConfig;
import java.time.Duration;
import java.util.Optional;

/** A SchedulerConfig for tests of single classes, without Quarkus. */
public record TestConfig(
    String schema, String instanceId, Duration checkInterval, Optional<String> orchestratorUrl)
    implements SchedulerConfig {

  @Override
  public Leader leader() {
    return new Leader() {
      @Override
      public Duration retryInterval() {
        return Duration.ofMillis(300);
      }

      @Override
      public Duration checkInterval() {
        return checkInterval;
      }

      @Override
      public Duration sessionTimeout() {
        return Duration.ofSeconds(5);
      }

      @Override
      public int lockKey() {
        return 1146310467;
      }
    };
  }

  @Override
  public Duration misfireThreshold() {
    return Duration.ofSeconds(60);
  }

  @Override
  public Duration firePrepareAhead() {
    return Duration.ofMillis(100);
  }

  @Override
  public int fireBatchSize() {
    return 250;
  }

  @Override
  public int fireParallelism() {
    return 1;
  }

  @Override
  public String consumerGroup() {
    return "unused";
  }

  @Override
  public String consumerOffsetReset() {
    return "earliest";
  }

  @Override
  public Duration outboxSweep() {
    return Duration.ofSeconds(5);
  }

  @Override
  public int previewMax() {
    return 200;
  }

  @Override
  public Backfill backfill() {
    return new Backfill() {
      @Override
      public int maxFires() {
        return 1000;
      }

      @Override
      public Duration startGrace() {
        return Duration.ofSeconds(30);
      }
    };
  }

  @Override
  public Ledger ledger() {
    return new Ledger() {
      @Override
      public int retentionDays() {
        return 365;
      }

      @Override
      public int sweepBatch() {
        return 5000;
      }

      @Override
      public int sweepMaxBatches() {
        return 100;
      }
    };
  }

  @Override
  public Optional<String> secretsUrl() {
    return Optional.empty();
  }

  @Override
  public Triggers triggers() {
    return new Triggers() {
      @Override
      public int maxChainDepth() {
        return 10;
      }

      @Override
      public Duration replayWindow() {
        return Duration.ofHours(24);
      }

      @Override
      public int maxBodyBytes() {
        return 1 << 20;
      }

      @Override
      public String consumerGroup() {
        return "unused";
      }

      @Override
      public String topicOffsetReset() {
        return "earliest";
      }

      @Override
      public Duration topicRefresh() {
        return Duration.ofSeconds(5);
      }
    };
  }
}
