package io.dataplane.secrets.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The service's domain metrics ({@code dataplane_secrets_*} in Prometheus). */
@ApplicationScoped
public class SecretsMetrics {

  private final MeterRegistry registry;
  private final Counter decryptionFailures;
  private final MultiGauge dataKeys;
  private final AtomicLong stuck = new AtomicLong();

  public SecretsMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.decryptionFailures =
        Counter.builder("dataplane.secrets.decryption.failures")
            .description("Values or data keys that failed to decrypt")
            .register(registry);
    this.dataKeys =
        MultiGauge.builder("dataplane.secrets.data.keys")
            .description("Data keys (secret versions) per master key version")
            .register(registry);
    Gauge.builder("dataplane.secrets.rewrap.stuck", stuck, AtomicLong::get)
        .description("Data keys the last re-wrap pass could not move (unknown key or tampered)")
        .register(registry);
  }

  /** Data keys the last re-wrap pass could not move. */
  public void stuck(long n) {
    stuck.set(n);
  }

  /** One secret value handed to an attempt. */
  public void read(String environment) {
    Counter.builder("dataplane.secrets.reads")
        .description("Secret values handed out to task attempts")
        .tag("environment", environment)
        .register(registry)
        .increment();
  }

  /** A resolve request refused. */
  public void denied(String reason) {
    Counter.builder("dataplane.secrets.denials")
        .description("Resolve requests refused, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A data key re-wrapped ({@code ok}) or that could not be ({@code failed}). */
  public void rewrap(String outcome, long n) {
    if (n > 0) {
      Counter.builder("dataplane.secrets.rewraps")
          .description("Data keys re-wrapped under the active master key, by outcome")
          .tag("outcome", outcome)
          .register(registry)
          .increment(n);
    }
  }

  public void decryptionFailure() {
    decryptionFailures.increment();
  }

  /** Publishes the data key counts per master key version. */
  public void dataKeys(Map<String, Long> byVersion) {
    dataKeys.register(
        byVersion.entrySet().stream()
            .map(
                e ->
                    MultiGauge.Row.of(
                        Tags.of("master_key_version", e.getKey()), (Number) e.getValue()))
            .toList(),
        true);
  }
}
