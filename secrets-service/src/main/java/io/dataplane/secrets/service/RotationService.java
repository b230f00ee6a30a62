package io.dataplane.secrets.service;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.secrets.config.SecretsConfig;
import io.dataplane.secrets.crypto.DecryptionException;
import io.dataplane.secrets.crypto.KeyRing;
import io.dataplane.secrets.crypto.Sealed;
import io.dataplane.secrets.crypto.SecretIdentity;
import io.dataplane.secrets.crypto.UnknownMasterKeyException;
import io.dataplane.secrets.repository.Jdbc;
import io.dataplane.secrets.repository.SecretRepository;
import io.dataplane.secrets.repository.SecretRepository.WrappedKey;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Master key rotation. Once a new version is configured and active, a background job re-wraps every
 * data key under it, a batch per short transaction ({@code FOR UPDATE SKIP LOCKED}, so reads and
 * other replicas go on); values are never re-encrypted, only their data keys. A version can be
 * retired when it is not active and no data key uses it.
 */
@ApplicationScoped
public class RotationService {

  /** The outcome of one pass over the data keys. */
  public record RewrapResult(
      String activeVersion, long rewrapped, long failed, Map<String, Long> dataKeys) {}

  /** One master key version as operators see it. */
  public record MasterKeyVersion(
      String version,
      boolean active,
      boolean configured,
      boolean retired,
      Instant retiredAt,
      long dataKeys) {}

  /** The ring and its use. */
  public record MasterKeys(String active, List<MasterKeyVersion> versions) {}

  private final AgroalDataSource dataSource;
  private final MasterKeyProvider keys;
  private final SecretsMetrics metrics;
  private final SecretsConfig.Rewrap config;
  private final ReentrantLock passLock = new ReentrantLock();
  // data keys already reported as not re-wrappable, so a broken row is logged once, not per pass
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  private final Scheduler scheduler;
  private volatile Map<String, Long> missingVersions = Map.of();

  public RotationService(
      AgroalDataSource dataSource,
      MasterKeyProvider keys,
      SecretsMetrics metrics,
      SecretsConfig config,
      Scheduler scheduler) {
    this.scheduler = scheduler;
    this.dataSource = dataSource;
    this.keys = keys;
    this.metrics = metrics;
    this.config = config.rewrap();
  }

  void onStart(@Observes StartupEvent ev) {
    refreshGauge();
    if (!config.enabled()) {
      return;
    }
    // the Quarkus scheduler checks its jobs once a second: a shorter interval runs each second
    long every = Math.max(100, config.interval().toMillis());
    scheduler
        .newJob("data-key-rewrap")
        .setInterval(Duration.ofMillis(every).toString())
        .setDelayed(Duration.ofMillis(every).toString())
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(
            ex -> {
              try {
                rewrapPass();
              } catch (RuntimeException e) {
                Log.warnf("data key re-wrap pass failed; next in %d ms: %s", every, e.toString());
              }
            })
        .schedule();
  }

  /**
   * Re-wraps every data key not yet under the active master key. Keys wrapped by a version this
   * process does not hold, or that do not open, are counted as failed and left as they are.
   */
  public RewrapResult rewrapPass() {
    passLock.lock();
    try {
      KeyRing ring = keys.current();
      String active = ring.active();
      boolean retired = Jdbc.inTransaction(dataSource, c -> SecretRepository.isRetired(c, active));
      if (retired) {
        Log.errorf("active master key %s is retired: no data key is re-wrapped", active);
        return new RewrapResult(active, 0, 0, refreshGauge());
      }
      long done = 0;
      long failed = 0;
      long afterSecret = 0;
      int afterVersion = 0;
      while (!Thread.currentThread().isInterrupted()) {
        long[] cursor = {afterSecret, afterVersion};
        long[] counts = new long[2];
        long fromSecret = afterSecret;
        int fromVersion = afterVersion;
        int n =
            Jdbc.inTransaction(
                dataSource,
                c -> {
                  List<WrappedKey> batch =
                      SecretRepository.toRewrap(
                          c, active, fromSecret, fromVersion, config.batchSize());
                  for (WrappedKey k : batch) {
                    cursor[0] = k.secretId();
                    cursor[1] = k.version();
                    try {
                      Sealed moved =
                          keys.cipher()
                              .rewrap(
                                  new SecretIdentity(k.environment(), k.name(), k.version()),
                                  k.sealed());
                      SecretRepository.updateWrapping(c, k, moved);
                      counts[0]++;
                    } catch (DecryptionException | UnknownMasterKeyException e) {
                      counts[1]++;
                      String id =
                          k.secretId() + "/" + k.version() + "/" + k.sealed().masterKeyVersion();
                      if (reported.add(id)) {
                        if (e instanceof DecryptionException) {
                          metrics.decryptionFailure();
                        }
                        metrics.rewrap("failed", 1);
                        Log.warnf("data key not re-wrapped: %s", e.getMessage());
                      }
                    }
                  }
                  return batch.size();
                });
        done += counts[0];
        failed += counts[1];
        metrics.rewrap("ok", counts[0]);
        if (n == 0) {
          break;
        }
        afterSecret = cursor[0];
        afterVersion = (int) cursor[1];
      }
      Map<String, Long> byVersion = refreshGauge();
      metrics.stuck(failed);
      if (done > 0) {
        Log.infof(
            "re-wrap pass to %s: %d data keys re-wrapped, %d failed; now %s",
            active, done, failed, byVersion);
      }
      return new RewrapResult(active, done, failed, byVersion);
    } finally {
      passLock.unlock();
    }
  }

  /** Recounts data keys per master key version and publishes the gauge. */
  public Map<String, Long> refreshGauge() {
    Map<String, Long> counts =
        new TreeMap<>(Jdbc.inTransaction(dataSource, SecretRepository::dataKeysByMasterKey));
    KeyRing ring = keys.current();
    for (String v : ring.versions()) {
      counts.putIfAbsent(v, 0L);
    }
    metrics.dataKeys(counts);
    Map<String, Long> missing = new TreeMap<>();
    counts.forEach(
        (v, n) -> {
          if (n > 0 && !ring.holds(v)) {
            missing.put(v, n);
          }
        });
    if (!missing.equals(missingVersions)) {
      if (!missing.isEmpty()) {
        Log.errorf(
            "data keys wrapped by master key versions that are not configured: %s; their values"
                + " cannot be read until those keys are configured again",
            missing);
      }
      missingVersions = missing;
    }
    return counts;
  }

  /**
   * Master key versions that data keys use but this process does not hold, with the number of data
   * keys (as of the last count).
   */
  public Map<String, Long> missingVersions() {
    return missingVersions;
  }

  public MasterKeys describe() {
    KeyRing ring = keys.current();
    Map<String, Long> counts = refreshGauge();
    Map<String, Instant> retired = Jdbc.inTransaction(dataSource, SecretRepository::retired);
    TreeSet<String> all = new TreeSet<>(counts.keySet());
    all.addAll(retired.keySet());
    all.addAll(ring.versions());
    List<MasterKeyVersion> out = new ArrayList<>();
    for (String v : all) {
      out.add(
          new MasterKeyVersion(
              v,
              v.equals(ring.active()),
              ring.holds(v),
              retired.containsKey(v),
              retired.get(v),
              counts.getOrDefault(v, 0L)));
    }
    return new MasterKeys(ring.active(), out);
  }

  /**
   * Retires a master key version: refused while it is active or any data key is wrapped by it.
   * After this, the version never wraps again and its key can be removed from the configuration.
   */
  public MasterKeys retire(String version, String actor) {
    KeyRing.checkVersion(version);
    KeyRing ring = keys.current();
    if (version.equals(ring.active())) {
      throw DataplaneException.conflict(
          "master key '" + version + "' is the active version; activate another one first");
    }
    Jdbc.inTransaction(
        dataSource,
        c -> {
          if (SecretRepository.isRetired(c, version)) {
            return null;
          }
          long used = SecretRepository.dataKeysOf(c, version);
          if (used > 0) {
            throw DataplaneException.conflict(
                "master key '"
                    + version
                    + "' still wraps "
                    + used
                    + " data key(s); wait for the re-wrap job to move them to '"
                    + ring.active()
                    + "' (dataplane_secrets_data_keys) and retry");
          }
          if (!ring.holds(version)) {
            throw DataplaneException.notFound("master key version '" + version + "'");
          }
          SecretRepository.retire(c, version, actor);
          Log.infof("master key %s retired by %s", version, actor);
          return null;
        });
    return describe();
  }
}
