package io.dataplane.secrets.service;

import io.dataplane.secrets.config.SecretsConfig;
import io.dataplane.secrets.crypto.EnvelopeCipher;
import io.dataplane.secrets.crypto.KeyRing;
import io.dataplane.secrets.crypto.MasterKeyDirectory;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Holds the master key ring. Keys come only from configuration, never from the database:
 *
 * <ul>
 *   <li>properties {@code dataplane.secrets.master-keys."<version>"=<base64>}, or environment
 *       variables {@code DATAPLANE_SECRETS_MASTER_KEYS_<VERSION>} (version lower-cased);
 *   <li>files of {@code dataplane.secrets.master-key-dir} (a mounted Kubernetes Secret), re-read
 *       every {@code master-key-reload-interval}, so a key can be added and activated without a
 *       restart.
 * </ul>
 *
 * The active version is {@code dataplane.secrets.active-master-key}, unless the directory has a
 * file {@code active}. A reload that fails keeps the previous ring (and says why in the log).
 */
@ApplicationScoped
public class MasterKeyProvider {

  static final String PROPERTY_PREFIX = "dataplane.secrets.master-keys.";
  static final String ENV_PREFIX = "DATAPLANE_SECRETS_MASTER_KEYS_";

  private final SecretsConfig config;
  private final EnvelopeCipher cipher;
  private final Scheduler scheduler;
  private volatile KeyRing ring;

  public MasterKeyProvider(SecretsConfig config, Scheduler scheduler) {
    this.config = config;
    this.scheduler = scheduler;
    this.cipher = new EnvelopeCipher(this::current, new SecureRandom());
  }

  void onStart(@Observes StartupEvent ev) {
    current(); // fail the start-up now if the keys are unusable
    if (config.masterKeyDir().isPresent()) {
      String every =
          Duration.ofMillis(Math.max(1000, config.masterKeyReloadInterval().toMillis())).toString();
      scheduler
          .newJob("master-key-reload")
          .setInterval(every)
          .setDelayed(every)
          .setConcurrentExecution(ConcurrentExecution.SKIP)
          .setTask(
              ex -> {
                try {
                  reload();
                } catch (RuntimeException e) {
                  Log.errorf("master keys not reloaded, keeping %s: %s", ring, e.getMessage());
                }
              })
          .schedule();
    }
  }

  /** The current ring. */
  public KeyRing current() {
    KeyRing r = ring;
    if (r == null) {
      synchronized (this) {
        if (ring == null) {
          ring = load();
          Log.infof("master keys loaded: %s", ring);
        }
        r = ring;
      }
    }
    return r;
  }

  /** The cipher working with the current ring. */
  public EnvelopeCipher cipher() {
    return cipher;
  }

  /**
   * Re-reads the configuration and the key directory now.
   *
   * @throws IllegalArgumentException (the ring is kept) when the new keys are unusable
   */
  public synchronized KeyRing reload() {
    KeyRing next = load();
    if (!next.sameAs(ring)) {
      Log.infof("master keys reloaded: %s (was %s)", next, ring);
      ring = next;
    }
    return ring;
  }

  private KeyRing load() {
    Map<String, String> base64 = new TreeMap<>(fromConfig(ConfigProvider.getConfig()));
    String active = config.activeMasterKey().orElse(null);
    if (config.masterKeyDir().isPresent()) {
      MasterKeyDirectory.Content dir;
      try {
        dir = MasterKeyDirectory.read(Path.of(config.masterKeyDir().get()));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the master key directory: " + e);
      }
      for (Map.Entry<String, String> e : dir.base64ByVersion().entrySet()) {
        String before = base64.putIfAbsent(e.getKey(), e.getValue());
        if (before != null && !before.strip().equals(e.getValue().strip())) {
          throw new IllegalArgumentException(
              "master key '" + e.getKey() + "' is configured twice with different material");
        }
      }
      if (dir.active().isPresent()) {
        active = dir.active().get();
      }
    }
    return KeyRing.of(KeyRing.decode(base64), active);
  }

  /** Master keys given as properties or environment variables. */
  static Map<String, String> fromConfig(Config config) {
    Map<String, String> out = new TreeMap<>();
    for (String name : config.getPropertyNames()) {
      String version;
      if (name.startsWith(PROPERTY_PREFIX)) {
        version = name.substring(PROPERTY_PREFIX.length()).replace("\"", "");
      } else if (name.startsWith(ENV_PREFIX)) {
        version = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
      } else {
        continue;
      }
      String value = config.getOptionalValue(name, String.class).orElse("");
      if (value.isBlank()) {
        continue; // an unset placeholder such as ${DATAPLANE_SECRETS_MASTER_KEYS_V2:}
      }
      String before = out.putIfAbsent(version, value.strip());
      if (before != null && !before.equals(value.strip())) {
        throw new IllegalArgumentException(
            "master key '" + version + "' is configured twice with different material");
      }
    }
    return out;
  }
}
