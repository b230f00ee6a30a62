package io.dataplane.filestore.service;

import io.dataplane.filestore.config.FilestoreConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Periodically removes file blobs nothing refers to any more (overwritten or deleted files).
 * Several replicas may run it: each blob is removed under its own lock.
 */
@ApplicationScoped
public class BlobCollector {

  private final BlobService blobs;
  private final FilestoreConfig.Gc config;
  private final Scheduler scheduler;

  public BlobCollector(BlobService blobs, FilestoreConfig config, Scheduler scheduler) {
    this.blobs = blobs;
    this.config = config.gc();
    this.scheduler = scheduler;
  }

  void start(@Observes StartupEvent e) {
    if (!config.enabled()) {
      return;
    }
    String every = config.interval().toString();
    scheduler
        .newJob("filestore-blob-collector")
        .setInterval(every)
        .setDelayed(every)
        .setConcurrentExecution(ConcurrentExecution.SKIP)
        .setTask(ex -> sweepQuietly())
        .schedule();
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
