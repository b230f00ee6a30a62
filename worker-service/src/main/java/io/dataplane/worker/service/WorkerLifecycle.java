package io.dataplane.worker.service;

import io.dataplane.worker.config.WorkerConfig;
import io.dataplane.worker.messaging.ControlConsumer;
import io.dataplane.worker.messaging.DispatchConsumer;
import io.dataplane.worker.messaging.EventProducer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Starts taking work at startup; on shutdown (SIGTERM) stops taking work, lets running attempts
 * finish within the grace period, then interrupts the rest so the orchestrator re-queues them.
 */
@ApplicationScoped
public class WorkerLifecycle {

  private final WorkerConfig config;
  private final AttemptService attempts;
  private final DispatchConsumer dispatch;
  private final ControlConsumer control;
  private final HeartbeatService heartbeat;
  private final EventProducer events;

  public WorkerLifecycle(
      WorkerConfig config,
      AttemptService attempts,
      DispatchConsumer dispatch,
      ControlConsumer control,
      HeartbeatService heartbeat,
      EventProducer events) {
    this.config = config;
    this.attempts = attempts;
    this.dispatch = dispatch;
    this.control = control;
    this.heartbeat = heartbeat;
    this.events = events;
  }

  void onStart(@Observes StartupEvent event) {
    try {
      attempts.start();
    } catch (IOException e) {
      throw new UncheckedIOException("worker cannot prepare its directories", e);
    }
    control.start();
    heartbeat.start();
    if (attempts.canRun()) {
      dispatch.start();
    } // else: not ready, no dispatch taken; heartbeats show the worker and its sandbox problem
  }

  void onStop(@Observes ShutdownEvent event) {
    Log.infof(
        "worker %s stopping: no new work, grace %s", config.instanceId(), config.shutdownGrace());
    dispatch.stop();
    attempts.drain(config.shutdownGrace());
    heartbeat.beat(); // a last beat says "draining" with nothing running
    heartbeat.stop();
    control.stop();
    events.flush();
    attempts.close();
  }
}
