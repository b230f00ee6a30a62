package io.dataplane.scheduler.service;

import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.config.SchedulerConfig;
import io.dataplane.scheduler.leader.Leadership;
import io.dataplane.scheduler.messaging.OutboxRelay;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.dataplane.scheduler.schedule.MisfirePlanner;
import io.dataplane.scheduler.schedule.ScheduleSpec;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The leader's firing loop. It keeps every enabled schedule in memory, ordered by its next fire
 * instant, and sleeps exactly until the earliest one is due (or until a change arrives: schedule
 * changes are announced by NOTIFY at commit and delivered through the leadership connection). No
 * fixed polling tick: an idle scheduler with nothing due sleeps until the next fire.
 *
 * <p>When fires are due, the {@link MisfirePlanner} decides what to fire (late beyond the misfire
 * threshold → the schedule's policy), and the {@link FireWriter} writes ledger rows and
 * RunRequested events in fenced transactions, in batches on a small pool so that many fires due in
 * the same second commit together.
 */
@ApplicationScoped
public class FireEngine implements Leadership.Listener {

  private record Reload(UUID id) {}

  private record Elected(int pid) {}

  private enum Signal {
    REVOKED,
    BACKFILL,
    STOP
  }

  private static final class Entry {
    Schedule schedule;
    ScheduleSpec spec;
    Instant next;

    Entry(Schedule schedule, ScheduleSpec spec, Instant next) {
      this.schedule = schedule;
      this.spec = spec;
      this.next = next;
    }
  }

  private static final Comparator<Entry> BY_NEXT =
      Comparator.comparing((Entry e) -> e.next).thenComparing(e -> e.schedule.id());

  private final ScheduleRepository repository;
  private final SchedulerConfig config;
  private final SchedulerMetrics metrics;
  private final BackfillService backfills;
  private final Leadership leadership;
  private final FireWriter writer;
  private final String changesChannel;
  private final String backfillChannel;
  private final BlockingQueue<Object> commands = new LinkedBlockingQueue<>();
  private final Map<UUID, Entry> entries = new HashMap<>();
  private final TreeSet<Entry> queue = new TreeSet<>(BY_NEXT);
  private final ExecutorService pool;
  private volatile boolean running;
  private Thread thread;
  private Instant backfillCheckAt;

  private final NotificationService notifications;

  public FireEngine(
      ScheduleRepository repository,
      SchedulerConfig config,
      SchedulerMetrics metrics,
      BackfillService backfills,
      OutboxRelay outbox,
      NotificationService notifications,
      @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
      @ConfigProperty(name = "quarkus.datasource.username") String user,
      @ConfigProperty(name = "quarkus.datasource.password") String password) {
    this.repository = repository;
    this.config = config;
    this.metrics = metrics;
    this.backfills = backfills;
    this.notifications = notifications;
    this.changesChannel = ScheduleRepository.changesChannel(config.schema());
    this.backfillChannel = BackfillService.channel(config.schema());
    this.leadership =
        new Leadership(
            jdbcUrl, user, password, config, List.of(changesChannel, backfillChannel), this);
    this.writer = new FireWriter(repository, leadership, outbox, config.instanceId());
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, config.fireParallelism()),
            r -> {
              Thread t = new Thread(r, "scheduler-fire");
              t.setDaemon(true);
              return t;
            });
  }

  void onStart(@Observes StartupEvent ev) {
    running = true;
    thread = new Thread(this::loop, "scheduler-engine");
    thread.setDaemon(true);
    thread.start();
    leadership.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    running = false;
    leadership.close();
    commands.add(Signal.STOP);
    try {
      if (thread != null) {
        thread.join(5000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
  }

  public boolean isLeader() {
    return leadership.isLeader();
  }

  public Leadership leadership() {
    return leadership;
  }

  public FireWriter writer() {
    return writer;
  }

  // --- Leadership.Listener (called on the leadership thread) ---

  @Override
  public void elected(int backendPid) {
    metrics.leader(true);
    commands.add(new Elected(backendPid));
  }

  @Override
  public void revoked() {
    metrics.leader(false);
    commands.add(Signal.REVOKED);
  }

  @Override
  public void notified(String channel, String payload) {
    if (channel.equals(changesChannel)) {
      try {
        commands.add(new Reload(UUID.fromString(payload)));
      } catch (IllegalArgumentException e) {
        Log.debugf("ignoring change notification %s", payload);
      }
    } else if (channel.equals(backfillChannel)) {
      commands.add(Signal.BACKFILL);
    }
  }

  // --- the loop (engine thread only) ---

  private void loop() {
    while (running) {
      try {
        Object cmd = waitForWork();
        Set<UUID> reloads = new LinkedHashSet<>();
        while (cmd != null) {
          if (cmd == Signal.STOP) {
            return;
          }
          if (cmd instanceof Reload r) {
            reloads.add(r.id());
          } else {
            handle(cmd);
          }
          cmd = commands.poll();
        }
        if (!reloads.isEmpty() && leadership.isLeader()) {
          reload(reloads);
        }
        if (leadership.isLeader()) {
          fireDue();
          runBackfills();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        Log.errorf(e, "scheduler loop failed; continuing");
        pause(500);
      }
    }
  }

  /** Blocks until the earliest due instant (fire or backfill check) or the next command. */
  private Object waitForWork() throws InterruptedException {
    if (!leadership.isLeader()) {
      return commands.take();
    }
    // wake a little ahead of the instant: the fires are planned and their events encoded before it
    Instant wake = queue.isEmpty() ? null : queue.first().next.minus(config.firePrepareAhead());
    if (backfillCheckAt != null && (wake == null || backfillCheckAt.isBefore(wake))) {
      wake = backfillCheckAt;
    }
    if (wake == null) {
      return commands.take();
    }
    long nanos = Duration.between(Instant.now(), wake).toNanos();
    if (nanos <= 0) {
      return commands.poll();
    }
    return commands.poll(nanos, TimeUnit.NANOSECONDS);
  }

  private void handle(Object cmd) {
    if (cmd instanceof Elected) {
      loadAll();
      backfillCheckAt = Instant.now();
    } else if (cmd == Signal.REVOKED) {
      entries.clear();
      queue.clear();
      backfillCheckAt = null;
    } else if (cmd == Signal.BACKFILL) {
      if (leadership.isLeader()) {
        backfillCheckAt = Instant.now();
      }
    }
  }

  private void loadAll() {
    entries.clear();
    queue.clear();
    try {
      for (Schedule s : repository.enabled()) {
        put(s);
      }
      Log.infof("leader loaded %d enabled schedules", entries.size());
    } catch (Exception e) {
      Log.errorf("cannot load schedules: %s", e.getMessage());
      commands.add(new Elected(0));
      pause(1000);
    }
  }

  /** Re-reads changed schedules (many changes arriving together are read in one query). */
  private void reload(Set<UUID> ids) {
    try {
      List<Schedule> found = repository.findAll(ids);
      for (UUID id : ids) {
        remove(id);
      }
      for (Schedule s : found) {
        if (s.state() == Schedule.State.ENABLED) {
          put(s);
        }
      }
    } catch (Exception e) {
      Log.errorf("cannot reload %d schedules: %s", ids.size(), e.getMessage());
      for (UUID id : ids) {
        commands.add(new Reload(id));
      }
      pause(500);
    }
  }

  private void put(Schedule s) {
    ScheduleSpec spec;
    try {
      spec = s.spec();
    } catch (RuntimeException e) {
      Log.errorf("schedule %s has an invalid rule and is skipped: %s", s.id(), e.getMessage());
      return;
    }
    Optional<Instant> next = spec.nextAfter(s.firedThrough());
    if (next.isEmpty()) {
      return;
    }
    Entry e = new Entry(s, spec, next.get());
    entries.put(s.id(), e);
    queue.add(e);
  }

  private void remove(UUID id) {
    Entry e = entries.remove(id);
    if (e != null) {
      queue.remove(e);
    }
  }

  private void fireDue() {
    Instant now = Instant.now();
    if (queue.isEmpty() || queue.first().next.isAfter(now.plus(config.firePrepareAhead()))) {
      return;
    }
    // the instant these fires are written at: the earliest due one, or now when already late
    Instant at = queue.first().next.isAfter(now) ? queue.first().next : now;
    List<Entry> due = new ArrayList<>();
    while (!queue.isEmpty() && !queue.first().next.isAfter(at)) {
      due.add(queue.pollFirst());
    }
    // plan every due schedule, then write in batches of whole schedules
    List<List<Entry>> batches = new ArrayList<>();
    List<Entry> current = new ArrayList<>();
    int size = 0;
    Map<UUID, MisfirePlanner.Plan> plans = new HashMap<>();
    for (Entry e : due) {
      MisfirePlanner.Plan p =
          MisfirePlanner.plan(
              e.spec,
              e.schedule.firedThrough(),
              at,
              config.misfireThreshold(),
              e.schedule.misfirePolicy(),
              e.schedule.misfireCap());
      plans.put(e.schedule.id(), p);
      current.add(e);
      size += Math.max(1, p.fire().size());
      if (size >= config.fireBatchSize()) {
        batches.add(current);
        current = new ArrayList<>();
        size = 0;
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    if (Log.isDebugEnabled()) {
      Log.debugf(
          "%d schedules due at %s; planned %d ms before it",
          (Object) due.size(), at, Duration.between(Instant.now(), at).toMillis());
    }
    List<Future<Boolean>> results = new ArrayList<>();
    for (List<Entry> batch : batches) {
      results.add(pool.submit(() -> writeBatch(batch, plans, at)));
    }
    for (int i = 0; i < batches.size(); i++) {
      boolean ok;
      try {
        ok = results.get(i).get();
      } catch (Exception ex) {
        ok = false;
      }
      for (Entry e : batches.get(i)) {
        if (ok) {
          MisfirePlanner.Plan p = plans.get(e.schedule.id());
          e.schedule = e.schedule.withFiredThrough(p.firedThrough());
          Optional<Instant> next = e.spec.nextAfter(p.firedThrough());
          if (next.isPresent()) {
            e.next = next.get();
            queue.add(e);
          } else {
            entries.remove(e.schedule.id());
          }
        } else if (leadership.isLeader()) {
          // retry shortly from the same fired_through: nothing was written
          e.next = Instant.now().plusMillis(500);
          queue.add(e);
        }
      }
    }
  }

  private boolean writeBatch(List<Entry> batch, Map<UUID, MisfirePlanner.Plan> plans, Instant at) {
    List<FireWriter.Fire> fires = new ArrayList<>();
    Map<UUID, Instant> through = new LinkedHashMap<>();
    long missed = 0;
    for (Entry e : batch) {
      MisfirePlanner.Plan p = plans.get(e.schedule.id());
      for (Instant t : p.fire()) {
        String kind = t.isBefore(at.minus(config.misfireThreshold())) ? "MISFIRE" : "SCHEDULED";
        fires.add(new FireWriter.Fire(e.schedule, t, kind, null));
      }
      through.put(e.schedule.id(), p.firedThrough());
      missed += p.missed();
    }
    try {
      // written ahead, committed at the instant: a fire never becomes visible before its time
      List<FireWriter.Fire> written = writer.write(writer.prepare(fires, through), at);
      Instant committed = Instant.now();
      for (FireWriter.Fire f : written) {
        metrics.fired(Duration.between(f.fireTime(), committed));
      }
      metrics.missed(missed);
      if (missed > 0) {
        Log.infof("dropped %d missed fire times by misfire policy", missed);
      }
      notifyMisfires(batch, plans, at);
      return true;
    } catch (FireWriter.NotLeaderException e) {
      Log.warn("fire refused: this instance no longer holds the leader lock");
      return false;
    } catch (Exception e) {
      Log.errorf("writing %d fires failed: %s", fires.size(), e.getMessage());
      return false;
    }
  }

  /**
   * Notifies schedules that missed fire times (fired late or dropped by their policy), after the
   * fires committed; a failure here is logged and never holds up firing.
   */
  private void notifyMisfires(List<Entry> batch, Map<UUID, MisfirePlanner.Plan> plans, Instant at) {
    for (Entry e : batch) {
      MisfirePlanner.Plan p = plans.get(e.schedule.id());
      long late =
          p.fire().stream().filter(t -> t.isBefore(at.minus(config.misfireThreshold()))).count();
      if (late == 0 && p.missed() == 0) {
        continue;
      }
      try {
        notifications.scheduleMisfire(e.schedule, late, p.missed(), p.firedThrough());
      } catch (Exception ex) {
        Log.warnf(
            "schedule %s: its misfire could not be recorded for notification: %s",
            e.schedule.id(), ex.getMessage());
      }
    }
  }

  private void runBackfills() {
    if (backfillCheckAt == null || backfillCheckAt.isAfter(Instant.now())) {
      return;
    }
    try {
      backfillCheckAt = backfills.process(writer, metrics);
    } catch (Exception e) {
      Log.errorf("backfill pass failed: %s", e.getMessage());
      backfillCheckAt = Instant.now().plusSeconds(1);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
