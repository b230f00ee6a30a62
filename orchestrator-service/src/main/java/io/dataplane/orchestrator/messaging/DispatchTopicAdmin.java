package io.dataplane.orchestrator.messaging;

import io.dataplane.common.events.DispatchTopics;
import io.dataplane.common.messaging.KafkaClients;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Creates a worker group's dispatch topic (one partition, {@link DispatchTopics}) when the group is
 * created, before anything is dispatched to it; a worker does the same when it starts.
 */
@ApplicationScoped
public class DispatchTopicAdmin {

  private final String bootstrap;
  private final OrchestratorConfig config;
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
   */
  public void ensure(String workerGroup) {
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
    if (admin != null) {
      admin.close();
    }
  }
}
