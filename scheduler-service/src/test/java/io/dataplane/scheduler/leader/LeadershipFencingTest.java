package io.dataplane.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.scheduler.TestConfig;
import io.dataplane.scheduler.TestSupport;
import io.dataplane.scheduler.config.SchedulerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The advisory-lock leadership against the real PostgreSQL: one leader at a time; when the leader's
 * session is cut (a partition, or a paused process whose session the server dropped) a standby
 * takes over, and the old leader, which still believes it leads, fails the fence check that every
 * fire transaction makes.
 */
class LeadershipFencingTest {

  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/" + TestSupport.DATABASE;

  private static SchedulerConfig config(String schema, String instance, Duration check) {
    return new TestConfig(schema, instance, check, Optional.empty());
  }

  private static final class Counting implements Leadership.Listener {
    final AtomicInteger elected = new AtomicInteger();
    final AtomicInteger revoked = new AtomicInteger();

    public void elected(int pid) {
      elected.incrementAndGet();
    }

    public void revoked() {
      revoked.incrementAndGet();
    }

    public void notified(String channel, String payload) {}
  }

  private static boolean fence(Connection c, Leadership l, int pid) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(Leadership.FENCE_SQL)) {
      ps.setInt(1, l.key1());
      ps.setInt(2, l.key2());
      ps.setInt(3, pid);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Test
  void aLeaderThatLostItsSessionCannotPassTheFence() throws Exception {
    String schema = "fence_" + UUID.randomUUID().toString().substring(0, 8);
    Counting l1 = new Counting();
    Counting l2 = new Counting();
    // the first leader checks its connection rarely: it keeps believing it leads after the cut
    try (Leadership first =
            new Leadership(
                URL,
                "dataplane",
                "dataplane",
                config(schema, "one", Duration.ofSeconds(60)),
                List.of(),
                l1);
        Leadership second =
            new Leadership(
                URL,
                "dataplane",
                "dataplane",
                config(schema, "two", Duration.ofSeconds(1)),
                List.of(),
                l2);
        Connection pool = DriverManager.getConnection(URL, "dataplane", "dataplane")) {
      first.start();
      await().atMost(Duration.ofSeconds(10)).until(first::isLeader);
      second.start();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> !second.isLeader());
      assertThat(first.holdsLock(pool)).isTrue();
      int oldPid = first.leaderPid();

      // cut the leader's session, as a network partition or the server's timeout would
      try (PreparedStatement ps = pool.prepareStatement("select pg_terminate_backend(?)")) {
        ps.setInt(1, oldPid);
        ps.execute();
      }
      long cut = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(second::isLeader);
      assertThat((System.nanoTime() - cut) / 1_000_000).isLessThan(10_000);

      // a fire transaction of the old leader (its session pid) fails the fence, whether or not it
      // has noticed the cut yet; the new leader passes
      assertThat(fence(pool, first, oldPid)).isFalse();
      assertThat(fence(pool, second, second.leaderPid())).isTrue();
      assertThat(second.holdsLock(pool)).isTrue();
      assertThat(first.holdsLock(pool)).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> !first.isLeader());
      assertThat(l2.elected.get()).isEqualTo(1);
    }
  }

  /**
   * The leader loses the database without dying and without any close or reset reaching either side
   * (its lock connection goes through a proxy that stops forwarding): the server ends the silent
   * session, a standby leads within 10 s, and the old leader steps down.
   */
  @Test
  void aStandbyLeadsWithinTenSecondsWhenTheLeadersConnectionIsBlackHoled() throws Exception {
    String schema = "blackhole_" + UUID.randomUUID().toString().substring(0, 8);
    Counting l1 = new Counting();
    Counting l2 = new Counting();
    try (BlackHoleProxy proxy = new BlackHoleProxy(5432);
        Leadership first =
            new Leadership(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + TestSupport.DATABASE,
                "dataplane",
                "dataplane",
                config(schema, "one", Duration.ofSeconds(1)),
                List.of(),
                l1);
        Leadership second =
            new Leadership(
                URL,
                "dataplane",
                "dataplane",
                config(schema, "two", Duration.ofSeconds(1)),
                List.of(),
                l2);
        Connection pool = DriverManager.getConnection(URL, "dataplane", "dataplane")) {
      first.start();
      await().atMost(Duration.ofSeconds(10)).until(first::isLeader);
      second.start();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(4))
          .until(() -> !second.isLeader());
      int oldPid = first.leaderPid();

      proxy.blackHole();
      long cut = System.nanoTime();
      await().atMost(Duration.ofSeconds(12)).until(second::isLeader);
      long tookMillis = (System.nanoTime() - cut) / 1_000_000;
      assertThat(tookMillis).as("takeover after a black-holed leader").isLessThanOrEqualTo(10_000);

      assertThat(fence(pool, first, oldPid)).isFalse();
      assertThat(second.holdsLock(pool)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !first.isLeader());
      assertThat(l1.revoked.get()).isEqualTo(1);
    }
  }

  @Test
  void theSessionTimeoutStaysAboveTheCheckInterval() {
    assertThat(Leadership.sessionMillis(5000, 1000)).isEqualTo(5000);
    assertThat(Leadership.sessionMillis(5000, 60_000)).isEqualTo(121_000);
    assertThat(Leadership.serverOptions(5000))
        .contains("idle_session_timeout=5000", "tcp_keepalives_idle=2", "tcp_user_timeout=5000");
  }
}
