package io.dataplane.filestore.service;

import io.dataplane.filestore.config.FilestoreConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Periodically removes file blobs nothing refers to any more (overwritten or deleted files).
 * Several replicas may run it: each blob is removed under its own lock.
 */
@ApplicationScoped
public class BlobCollector {

  private final BlobService blobs;
  private final FilestoreConfig.Gc config;
  private ScheduledExecutorService timer;

  public BlobCollector(BlobService blobs, FilestoreConfig config) {
    this.blobs = blobs;
    this.config = config.gc();
  }

  void start(@Observes StartupEvent e) {
    if (!config.enabled()) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "filestore-blob-collector");
              t.setDaemon(true);
              return t;
            });
    long every = config.interval().toMillis();
    timer.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent e) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void sweepQuietly() {
    try {
      int n;
      int total = 0;
      do {
        n = blobs.collectUnreferenced(config.grace(), 500);
        total += n;
      } while (n == 500);
      if (total > 0) {
        Log.infof("removed %d unreferenced blobs", total);
      }
    } catch (Exception ex) {
      Log.warnf("collecting unreferenced blobs failed; will retry: %s", ex.getMessage());
    }
  }
}
