package io.dataplane.scheduler.leader;

import io.dataplane.scheduler.config.SchedulerConfig;
import io.quarkus.logging.Log;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Leader election through a PostgreSQL advisory lock held on a dedicated, non-pooled connection.
 * The lock lives exactly as long as that connection's server session: when the leader dies (even by
 * {@code kill -9}) the server closes the session and a standby, retrying every {@code
 * retry-interval}, takes the lock. The same connection LISTENs for change notifications, which are
 * handed to the {@link Listener}.
 *
 * <p>A leader that loses the database without dying (a partition, a connection that a middlebox
 * black-holes) must not keep the lock: its session runs with {@code idle_session_timeout} (the
 * leader speaks every {@code check-interval}, so only a cut-off leader goes idle), TCP keepalives
 * and {@code tcp_user_timeout} on the server side, and a read timeout on the client side, all of
 * the order of {@code session-timeout}. The server then ends the session and frees the lock, and
 * the old leader's next check fails and it steps down.
 *
 * <p>Holding the lock is re-checked inside every fire transaction ({@link #FENCE_SQL}), so a leader
 * that lost its session (paused, partitioned) cannot write a fire.
 */
public final class Leadership implements AutoCloseable {

  /** What the elected leader does. */
  public interface Listener {
    void elected(int backendPid);

    void revoked();

    void notified(String channel, String payload);
  }

  /**
   * Returns a row only while the session {@code pid} holds the advisory lock {@code (k1, k2)}.
   * Parameters: k1, k2, pid.
   */
  public static final String FENCE_SQL =
      "select 1 from pg_locks where locktype = 'advisory' and classid = (?)::bigint::oid"
          + " and objid = (?)::bigint::oid and objsubid = 2 and pid = ? and granted"
          + " and database = (select oid from pg_database where datname = current_database())";

  private final String url;
  private final Properties props;
  private final int key1;
  private final int key2;
  private final long retryMillis;
  private final long checkMillis;
  private final List<String> channels;
  private final Listener listener;
  private volatile boolean running;
  private volatile boolean leader;
  private volatile int leaderPid;
  private volatile Connection connection;
  private Thread thread;

  public Leadership(
      String url,
      String user,
      String password,
      SchedulerConfig config,
      List<String> channels,
      Listener listener) {
    this.url = url;
    this.props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("tcpKeepAlive", "true");
    long sessionMillis =
        sessionMillis(
            config.leader().sessionTimeout().toMillis(),
            config.leader().checkInterval().toMillis());
    long sessionSeconds = Math.max(1, (sessionMillis + 999) / 1000);
    props.setProperty("connectTimeout", String.valueOf(sessionSeconds));
    props.setProperty("socketTimeout", String.valueOf(sessionSeconds));
    props.setProperty("options", serverOptions(sessionMillis));
    props.setProperty("ApplicationName", "scheduler-leader-" + config.instanceId());
    this.key1 = config.leader().lockKey();
    this.key2 = lockKey2(config.schema());
    this.retryMillis = config.leader().retryInterval().toMillis();
    this.checkMillis = config.leader().checkInterval().toMillis();
    this.channels = channels;
    this.listener = listener;
  }

  /**
   * The session timeout in effect: the configured one, or more when the leader checks too rarely to
   * stay within it (a leader that speaks less often than the timeout would lose its own lock).
   */
  static long sessionMillis(long configured, long checkMillis) {
    return configured > checkMillis ? configured : checkMillis * 2 + 1000;
  }

  /** Server settings of the lock session (PostgreSQL {@code options}): see the class comment. */
  static String serverOptions(long sessionMillis) {
    long keepIdle = Math.max(1, sessionMillis / 2000);
    return "-c idle_session_timeout="
        + sessionMillis
        + " -c tcp_keepalives_idle="
        + keepIdle
        + " -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3"
        + " -c tcp_user_timeout="
        + sessionMillis;
  }

  /** The second lock key: one lock per schema, so test and production schemas never compete. */
  public static int lockKey2(String schema) {
    return schema.hashCode() & 0x7fffffff;
  }

  public int key1() {
    return key1;
  }

  public int key2() {
    return key2;
  }

  public boolean isLeader() {
    return leader;
  }

  /** The server process id of the lock session while leader, else 0. */
  public int leaderPid() {
    return leader ? leaderPid : 0;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "scheduler-leadership");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      try (Connection c = DriverManager.getConnection(url, props)) {
        connection = c;
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          for (String ch : channels) {
            s.execute("listen " + ch);
          }
        }
        int pid;
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
          rs.next();
          pid = rs.getInt(1);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          if (!leader) {
            if (tryLock(c)) {
              leaderPid = pid;
              leader = true;
              Log.infof("this instance is now the scheduler leader (session %d)", pid);
              listener.elected(pid);
            }
          } else {
            try (Statement s = c.createStatement()) {
              s.execute("select 1");
            }
          }
          PGNotification[] ns = pg.getNotifications((int) (leader ? checkMillis : retryMillis));
          if (ns != null) {
            for (PGNotification n : ns) {
              listener.notified(n.getName(), n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (running) {
          Log.warnf("scheduler leadership connection failed: %s", e.getMessage());
        }
      } finally {
        connection = null;
        stepDown();
      }
      if (running) {
        sleep(retryMillis);
      }
    }
  }

  private boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
      ps.setInt(1, key1);
      ps.setInt(2, key2);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private void stepDown() {
    if (leader) {
      leader = false;
      Log.warn("this instance is no longer the scheduler leader");
      listener.revoked();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Checks, inside the caller's transaction, that this instance still holds the lock. */
  public boolean holdsLock(Connection c) throws SQLException {
    int pid = leaderPid();
    if (pid == 0) {
      return false;
    }
    try (PreparedStatement ps = c.prepareStatement(FENCE_SQL)) {
      ps.setInt(1, key1);
      ps.setInt(2, key2);
      ps.setInt(3, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public void close() {
    running = false;
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stepDown();
  }
}
