package io.dataplane.orchestrator.messaging;

import io.dataplane.common.events.DispatchTopics;
import io.dataplane.common.events.WorkerGroupRef;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Creates the dispatch topic of an environment's worker group ({@code
 * dataplane.task-dispatch.<environment>.<group>}, one partition, {@link DispatchTopics}) when the
 * group is created, before anything is dispatched to it; a worker does the same when it starts.
 */
@ApplicationScoped
public class DispatchTopicAdmin {

  /** How long the call that creates a worker group waits for its topic before it answers. */
  static final Duration WAIT = Duration.ofSeconds(2);

  private final String bootstrap;
  private final OrchestratorConfig config;
  // one at a time, off the request thread: a slow broker never holds up the API call past WAIT
  private final ExecutorService creator =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "dp-dispatch-topics");
            t.setDaemon(true);
            return t;
          });
  private Admin admin;

  public DispatchTopicAdmin(
      OrchestratorConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.config = config;
    this.bootstrap = bootstrap;
  }

  /**
   * Best effort: when Kafka cannot be reached now, the group's first worker creates the topic (a
   * dispatch sent before that would let the broker create it with its default partition count).
   * Waits at most {@link #WAIT} (the gateway gives the whole call 5 s; an Admin client's first
   * metadata round and a topic creation can take longer on a loaded machine), then goes on in the
   * background.
   */
  public void ensure(String environment, String group) {
    Future<?> f = creator.submit(() -> ensureNow(environment, group));
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      Log.infof(
          "the dispatch topic of worker group %s/%s is still being created; going on",
          environment, group);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      Log.warnf("cannot create the dispatch topic of %s/%s: %s", environment, group, e.getCause());
    }
  }

  private void ensureNow(String environment, String group) {
    WorkerGroupRef workerGroup = new WorkerGroupRef(environment, group);
    try {
      int partitions = DispatchTopics.ensure(admin(), workerGroup, 10_000);
      if (partitions > DispatchTopics.PARTITIONS) {
        Log.warnf(
            "the dispatch topic of worker group %s has %d partitions, not %d: see docs/worker.md",
            workerGroup, partitions, DispatchTopics.PARTITIONS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      Log.warnf("cannot create the dispatch topic of worker group %s now: %s", workerGroup, e);
    }
  }

  private synchronized Admin admin() {
    if (admin == null) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, "orchestrator-admin-" + config.instanceId());
      admin = Admin.create(KafkaClients.secured(p));
    }
    return admin;
  }

  synchronized void stop(@Observes ShutdownEvent ev) {
    creator.shutdownNow();
    if (admin != null) {
      admin.close();
    }
  }
}
