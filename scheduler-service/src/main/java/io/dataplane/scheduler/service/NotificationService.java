package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.SlaMissed;
import io.dataplane.common.events.WorkerGroupUnserved;
import io.dataplane.scheduler.NotificationChannel;
import io.dataplane.scheduler.NotificationRule;
import io.dataplane.scheduler.config.NotificationConfig;
import io.dataplane.scheduler.notify.Messages;
import io.dataplane.scheduler.notify.UrlGuard;
import io.dataplane.scheduler.repository.NotificationRepository;
import io.dataplane.scheduler.repository.NotificationRepository.Delivery;
import io.dataplane.scheduler.rest.NotificationRequests;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Notification channels and rules (validated, each invalid field named) and the recording of
 * notifications: an event matched by a rule becomes one delivery row per rule, keyed by the event,
 * in the caller's transaction or its own; the dispatcher sends it.
 */
@ApplicationScoped
public class NotificationService {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern PIPELINE = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");
  private static final Pattern SECRET = Pattern.compile("NOTIFY_[A-Za-z0-9_]{1,120}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}");
  // one address, no display name, no line break, no comma
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}");
  private static final int MAX_QUIET = 7 * 24 * 3600;

  private final NotificationRepository repository;
  private final EnvironmentCheck environments;
  private final RunLookup runs;
  private final NotificationConfig config;
  private final UrlGuard guard;
  private final MeterRegistry meters;

  public NotificationService(
      NotificationRepository repository,
      EnvironmentCheck environments,
      RunLookup runs,
      NotificationConfig config,
      ChannelSender sender,
      MeterRegistry meters) {
    this.repository = repository;
    this.environments = environments;
    this.runs = runs;
    this.config = config;
    this.guard = sender.guard();
    this.meters = meters;
  }

  // --- channels ---

  NotificationChannel validate(
      NotificationRequests.Channel r, UUID id, String env, NotificationChannel old, String actor) {
    if (r == null) {
      throw DataplaneException.invalid("", "a JSON body is required");
    }
    List<ErrorResponse.Detail> d = new ArrayList<>();
    name(d, "name", r.name(), NAME);
    NotificationChannel.Kind kind = null;
    try {
      kind =
          NotificationChannel.Kind.valueOf(
              String.valueOf(r.kind()).strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      d.add(detail("kind", "kind must be WEBHOOK, SLACK or EMAIL"));
    }
    if (r.secretName() == null || !SECRET.matcher(r.secretName()).matches()) {
      if (!(kind == NotificationChannel.Kind.EMAIL
          && r.smtpUsername() == null
          && r.secretName() == null)) {
        d.add(
            detail(
                "secretName",
                "secretName must name a secret of the environment called NOTIFY_<name>"
                    + " (the only secrets the scheduler may use)"));
      }
    }
    String url = null;
    String host = null;
    Integer port = null;
    String tls = null;
    List<String> to = null;
    if (kind == NotificationChannel.Kind.WEBHOOK) {
      url = r.url();
      if (url == null || url.length() > 2000) {
        d.add(detail("url", "url is required (at most 2000 characters)"));
      } else {
        try {
          guard.checkUrl(url, "url");
        } catch (UrlGuard.RefusedException e) {
          d.add(detail("url", e.getMessage()));
        }
      }
    } else if (r.url() != null) {
      d.add(detail("url", "only a WEBHOOK channel has a url (a Slack URL is a secret)"));
    }
    if (kind == NotificationChannel.Kind.EMAIL) {
      host = r.smtpHost();
      port = r.smtpPort() == null ? 587 : r.smtpPort();
      tls = r.smtpTls() == null ? "STARTTLS" : r.smtpTls().strip().toUpperCase(Locale.ROOT);
      if (host == null || !HOST.matcher(host).matches()) {
        d.add(detail("smtpHost", "smtpHost is required: a host name or address"));
      } else {
        try {
          guard.checkHost(host, "smtpHost");
        } catch (UrlGuard.RefusedException e) {
          d.add(detail("smtpHost", e.getMessage()));
        }
      }
      if (port < 1 || port > 65535) {
        d.add(detail("smtpPort", "smtpPort must be 1-65535"));
      }
      if (!List.of("NONE", "STARTTLS", "TLS").contains(tls)) {
        d.add(detail("smtpTls", "smtpTls must be NONE, STARTTLS or TLS"));
      }
      if (r.smtpUsername() != null
          && (r.smtpUsername().length() > 256
              || !Messages.oneLine(r.smtpUsername()).equals(r.smtpUsername()))) {
        d.add(detail("smtpUsername", "smtpUsername: one line, at most 256 characters"));
      }
      if (r.from() == null || !EMAIL.matcher(r.from()).matches()) {
        d.add(detail("from", "from must be one email address (no name, no line break)"));
      }
      if (r.to() == null || r.to().isEmpty() || r.to().size() > 50) {
        d.add(detail("to", "to must list 1 to 50 addresses"));
      } else {
        to = new ArrayList<>();
        for (int i = 0; i < r.to().size(); i++) {
          String a = r.to().get(i);
          if (a == null || !EMAIL.matcher(a).matches()) {
            d.add(detail("to[" + i + "]", "not one email address (no name, no line break)"));
          } else {
            to.add(a);
          }
        }
      }
    }
    if (!d.isEmpty()) {
      throw DataplaneException.invalid(d);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return new NotificationChannel(
        id,
        env,
        r.name(),
        kind,
        url,
        r.secretName(),
        host,
        port,
        tls,
        kind == NotificationChannel.Kind.EMAIL ? r.smtpUsername() : null,
        kind == NotificationChannel.Kind.EMAIL ? r.from() : null,
        to,
        old == null ? now : old.createdAt(),
        old == null ? actor : old.createdBy(),
        now,
        actor);
  }

  public NotificationChannel createChannel(String env, NotificationRequests.Channel r, String actor)
      throws SQLException {
    NotificationChannel ch = validate(r, UUID.randomUUID(), env, null, actor);
    environments.requireExists(env);
    return repository.inTransaction(
        c -> {
          return save(c, ch, true);
        });
  }

  public NotificationChannel replaceChannel(
      String env, UUID id, NotificationRequests.Channel r, String actor) throws SQLException {
    return repository.inTransaction(
        c -> {
          return save(c, validate(r, id, env, channel(c, env, id), actor), false);
        });
  }

  /** Writes the channel unless another of its environment has its name. */
  private NotificationChannel save(Connection c, NotificationChannel ch, boolean insert)
      throws SQLException {
    Conflicts.refuseTakenName(
        repository.nameTaken(
            c, "notification_channels", ch.environment(), ch.name(), insert ? null : ch.id()),
        "notification channel",
        ch.name(),
        ch.environment());
    repository.saveChannel(c, ch, insert);
    return ch;
  }

  public NotificationChannel channel(String env, UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      return channel(c, env, id);
    }
  }

  private NotificationChannel channel(Connection c, String env, UUID id) throws SQLException {
    return repository
        .channel(c, id)
        .filter(ch -> ch.environment().equals(env))
        .orElseThrow(() -> DataplaneException.notFound("notification channel " + id));
  }

  /** Deletes a channel and its rules (their deliveries stay in the log). */
  public void deleteChannel(String env, UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      channel(c, env, id);
      repository.delete(c, "notification_channels", id);
    }
  }

  // --- rules ---

  NotificationRule validate(
      Connection c,
      NotificationRequests.Rule r,
      UUID id,
      String env,
      NotificationRule old,
      String actor)
      throws SQLException {
    if (r == null) {
      throw DataplaneException.invalid("", "a JSON body is required");
    }
    List<ErrorResponse.Detail> d = new ArrayList<>();
    name(d, "name", r.name(), NAME);
    if (r.pipeline() != null && !PIPELINE.matcher(r.pipeline()).matches()) {
      d.add(detail("pipeline", "pipeline is not a valid name (" + PIPELINE.pattern() + ")"));
    }
    List<String> events = new ArrayList<>();
    if (r.events() == null || r.events().isEmpty()) {
      d.add(detail("events", "events must name at least one of " + NotificationRule.EVENTS));
    } else {
      for (int i = 0; i < r.events().size(); i++) {
        String e =
            r.events().get(i) == null ? "" : r.events().get(i).strip().toUpperCase(Locale.ROOT);
        if (!NotificationRule.EVENTS.contains(e)) {
          d.add(detail("events[" + i + "]", "must be one of " + NotificationRule.EVENTS));
        } else if (!events.contains(e)) {
          events.add(e);
        }
      }
    }
    int quiet = r.quietPeriodSeconds() == null ? 0 : r.quietPeriodSeconds();
    if (quiet < 0 || quiet > MAX_QUIET) {
      d.add(detail("quietPeriodSeconds", "quietPeriodSeconds must be 0 to " + MAX_QUIET));
    }
    UUID channelId = null;
    try {
      channelId = UUID.fromString(String.valueOf(r.channelId()));
      UUID cid = channelId;
      if (repository.channel(c, cid).filter(ch -> ch.environment().equals(env)).isEmpty()) {
        d.add(detail("channelId", "no notification channel " + cid + " in " + env));
      }
    } catch (IllegalArgumentException e) {
      d.add(detail("channelId", "channelId must be the id of a channel of " + env));
    }
    if (!d.isEmpty()) {
      throw DataplaneException.invalid(d);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return new NotificationRule(
        id,
        env,
        r.name(),
        r.pipeline(),
        List.copyOf(events),
        channelId,
        quiet,
        r.enabled() == null || r.enabled(),
        old == null ? now : old.createdAt(),
        old == null ? actor : old.createdBy(),
        now,
        actor);
  }

  public NotificationRule createRule(String env, NotificationRequests.Rule r, String actor)
      throws SQLException {
    return repository.inTransaction(
        c -> {
          return save(c, validate(c, r, UUID.randomUUID(), env, null, actor), true);
        });
  }

  public NotificationRule replaceRule(
      String env, UUID id, NotificationRequests.Rule r, String actor) throws SQLException {
    return repository.inTransaction(
        c -> {
          return save(c, validate(c, r, id, env, rule(c, env, id), actor), false);
        });
  }

  /** Writes the rule unless another of its environment has its name. */
  private NotificationRule save(Connection c, NotificationRule rule, boolean insert)
      throws SQLException {
    Conflicts.refuseTakenName(
        repository.nameTaken(
            c, "notification_rules", rule.environment(), rule.name(), insert ? null : rule.id()),
        "notification rule",
        rule.name(),
        rule.environment());
    repository.saveRule(c, rule, insert);
    return rule;
  }

  public NotificationRule rule(String env, UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      return rule(c, env, id);
    }
  }

  private NotificationRule rule(Connection c, String env, UUID id) throws SQLException {
    return repository
        .rule(c, id, false)
        .filter(r -> r.environment().equals(env))
        .orElseThrow(() -> DataplaneException.notFound("notification rule " + id));
  }

  public void deleteRule(String env, UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      rule(c, env, id);
      repository.delete(c, "notification_rules", id);
    }
  }

  // --- events ---

  /**
   * A run ended: FAILED and SUCCEEDED runs are notified to the matching rules. The event key is the
   * run and its end state, so a redelivered or republished event adds nothing.
   */
  public void onRun(RunStateChanged e) throws SQLException {
    String event =
        e.state() == RunState.FAILED
            ? NotificationRule.RUN_FAILED
            : e.state() == RunState.SUCCEEDED ? NotificationRule.RUN_SUCCEEDED : null;
    if (event == null) {
      return;
    }
    notifyRun(
        event,
        e.environment(),
        e.pipeline(),
        e.runId(),
        e.state(),
        "run:" + e.runId() + ":" + e.state(),
        facts -> {
          if (e.state() == RunState.FAILED) {
            facts.put("error", Messages.bounded(runError(e.runId()), Messages.MAX_ERROR));
          }
        });
  }

  /**
   * A run missed its pipeline's SLA while it ran (or as it ended): notified once to the matching
   * rules; the event key is the run, so a redelivered event adds nothing.
   */
  public void onSlaMissed(SlaMissed e) throws SQLException {
    notifyRun(
        NotificationRule.SLA_MISSED,
        e.environment(),
        e.pipeline(),
        e.runId(),
        e.state(),
        "sla:" + e.runId(),
        facts ->
            facts.put(
                "detail", Messages.bounded(e.sla() + ", due " + e.dueAt(), Messages.MAX_ERROR)));
  }

  /**
   * A worker group's tasks wait and no live worker serves it: notified once per outage (key: the
   * group and its oldest waiting dispatch) to the rules of the environment, and to the rules of a
   * pipeline whose tasks wait there.
   */
  public void onGroupUnserved(WorkerGroupUnserved e) throws SQLException {
    String ref = e.environment() + "/" + e.workerGroup();
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("event", NotificationRule.NO_WORKER);
    facts.put("environment", e.environment());
    facts.put("workerGroup", e.workerGroup());
    facts.put("pipelines", String.join(", ", e.pipelines()));
    facts.put(
        "detail",
        Messages.bounded(
            e.waitingTasks()
                + " task(s) of "
                + String.join(", ", e.pipelines())
                + " wait since "
                + e.since()
                + "; no live worker serves "
                + ref
                + (e.registered() == 0
                    ? " (none registered)"
                    : " (" + e.registered() + " registered: lost, draining or without a sandbox)"),
            Messages.MAX_ERROR));
    facts.put("occurredAt", Instant.now().toString());
    String key = "unserved:" + ref + "@" + e.since();
    repository.inTransaction(
        c -> {
          for (String pipeline : e.pipelines()) {
            record(c, e.environment(), pipeline, NotificationRule.NO_WORKER, key, facts);
          }
        });
  }

  /**
   * Records a run's event for the matching rules, once per {@code key}; {@code more} adds facts
   * (called only when a rule matches: it may ask the orchestrator).
   */
  private void notifyRun(
      String event,
      String env,
      String pipeline,
      UUID runId,
      RunState state,
      String key,
      java.util.function.Consumer<Map<String, Object>> more)
      throws SQLException {
    try (Connection c = repository.connection()) {
      if (repository.matching(c, env, pipeline, event).isEmpty()) {
        return;
      }
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("event", event);
    facts.put("environment", env);
    facts.put("pipeline", pipeline);
    facts.put("runId", runId.toString());
    facts.put("state", state.name());
    more.accept(facts);
    facts.put("link", Messages.runLink(config.consoleUrl().orElse(null), env, runId.toString()));
    facts.put("occurredAt", Instant.now().toString());
    repository.inTransaction(
        c -> {
          record(c, env, pipeline, event, key, facts);
        });
  }

  /** The run's error, or its failed tasks' errors; null when the orchestrator is not reachable. */
  private String runError(UUID runId) {
    try {
      Optional<Map<String, Object>> run = runs.run(runId);
      if (run.isEmpty()) {
        return null;
      }
      StringBuilder b = new StringBuilder();
      if (run.get().get("error") instanceof String s && !s.isBlank()) {
        b.append(Messages.bounded(s, Messages.MAX_ERROR));
      }
      if (run.get().get("taskRuns") instanceof List<?> trs) {
        for (Object o : trs) {
          if (b.length() > Messages.MAX_ERROR) {
            break;
          }
          if (o instanceof Map<?, ?> tr
              && "FAILED".equals(tr.get("state"))
              && tr.get("error") instanceof String s) {
            b.append(b.length() == 0 ? "" : "\n")
                .append("task ")
                .append(tr.get("taskKey"))
                .append(": ")
                .append(Messages.bounded(s, Messages.MAX_ERROR));
          }
        }
      }
      return b.length() == 0 ? null : b.toString();
    } catch (IOException | RuntimeException ex) {
      Log.debugf("run %s: no error detail for its notification: %s", runId, ex.getMessage());
      return null;
    }
  }

  /**
   * Records a misfire (a trigger fire that started no run) in the caller's transaction, so that it
   * is notified exactly when the ledger row commits.
   */
  public void misfire(Connection c, String env, String pipeline, String eventKey, String detail)
      throws SQLException {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("event", NotificationRule.MISFIRE);
    facts.put("environment", env);
    facts.put("pipeline", pipeline);
    facts.put("detail", Messages.bounded(detail, Messages.MAX_ERROR));
    facts.put("occurredAt", Instant.now().toString());
    record(c, env, pipeline, NotificationRule.MISFIRE, eventKey, facts);
  }

  /**
   * Records a schedule's misfire: fire times that fired late beyond the misfire threshold, or were
   * dropped by its misfire policy. Keyed by the schedule and the instant it is settled through, so
   * one outage is one notification.
   */
  public void scheduleMisfire(
      io.dataplane.scheduler.Schedule s, long late, long dropped, Instant firedThrough)
      throws SQLException {
    try (Connection c = repository.connection()) {
      if (repository
          .matching(c, s.environment(), s.pipeline(), NotificationRule.MISFIRE)
          .isEmpty()) {
        return;
      }
      c.setAutoCommit(false);
      try {
        misfire(
            c,
            s.environment(),
            s.pipeline(),
            "schedule:" + s.id() + "@" + firedThrough,
            "schedule "
                + s.name()
                + " missed fire times: "
                + late
                + " fired late, "
                + dropped
                + " dropped by its misfire policy "
                + s.misfirePolicy());
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * One delivery per matching rule: none when the rule already has one for this event; SUPPRESSED
   * (kept in the log, not sent) within the rule's quiet period for this pipeline. Rules are locked
   * so that two replicas cannot both decide that the period is over.
   */
  void record(
      Connection c,
      String env,
      String pipeline,
      String event,
      String eventKey,
      Map<String, Object> facts)
      throws SQLException {
    for (NotificationRule r : repository.matching(c, env, pipeline, event)) {
      repository.rule(c, r.id(), true);
      if (repository.hasDelivery(c, r.id(), eventKey)) {
        meters.counter("dataplane.notifications", "outcome", "DUPLICATE").increment();
        continue;
      }
      boolean quiet = repository.notifiedWithin(c, r.id(), pipeline, r.quietPeriodSeconds());
      Instant now = Instant.now();
      repository.insertDelivery(
          c,
          new Delivery(
              UUID.randomUUID(),
              r.id(),
              r.channelId(),
              env,
              pipeline,
              event,
              eventKey,
              facts,
              quiet ? "SUPPRESSED" : "PENDING",
              0,
              now,
              quiet ? "quiet period of " + r.quietPeriodSeconds() + "s" : null,
              null,
              now,
              quiet ? now : null));
      meters
          .counter("dataplane.notifications", "outcome", quiet ? "SUPPRESSED" : "RECORDED")
          .increment();
    }
  }

  private static void name(List<ErrorResponse.Detail> d, String field, String v, Pattern p) {
    if (v == null || v.isBlank()) {
      d.add(detail(field, field + " is required"));
    } else if (!p.matcher(v).matches()) {
      d.add(detail(field, field + " is not a valid name (" + p.pattern() + ")"));
    }
  }

  private static ErrorResponse.Detail detail(String path, String message) {
    return new ErrorResponse.Detail(path, ErrorCodes.INVALID_INPUT, message);
  }
}
