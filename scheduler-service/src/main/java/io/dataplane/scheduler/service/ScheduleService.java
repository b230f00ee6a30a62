package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.repository.ScheduleRepository;
import io.dataplane.scheduler.rest.ScheduleRequest;
import io.dataplane.scheduler.schedule.InvalidScheduleException;
import io.dataplane.scheduler.schedule.MisfirePolicy;
import io.dataplane.scheduler.schedule.ScheduleSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/** Schedule CRUD and state changes; every change is announced to the leader at commit. */
@ApplicationScoped
public class ScheduleService {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final ScheduleRepository repository;
  private final EnvironmentCheck environments;

  public ScheduleService(ScheduleRepository repository, EnvironmentCheck environments) {
    this.repository = repository;
    this.environments = environments;
  }

  /** A validated definition. */
  public record Definition(
      String name,
      String pipeline,
      String description,
      String cron,
      String rrule,
      String timezone,
      Instant startAt,
      Instant endAt,
      Map<String, Object> params,
      MisfirePolicy misfirePolicy,
      int misfireCap,
      boolean enabled,
      String releaseId,
      ScheduleSpec spec) {}

  /** Validates a request; every problem is reported with the path of its field. */
  public Definition validate(ScheduleRequest r, Instant anchor) {
    if (r == null) {
      throw DataplaneException.invalid("", "a JSON body is required");
    }
    List<ErrorResponse.Detail> details = new ArrayList<>();
    checkName(details, "name", r.name());
    checkName(details, "pipeline", r.pipeline());
    Instant start = instant(details, "startAt", r.startAt());
    Instant end = instant(details, "endAt", r.endAt());
    MisfirePolicy policy = MisfirePolicy.ALL;
    if (r.misfirePolicy() != null) {
      try {
        policy = MisfirePolicy.valueOf(r.misfirePolicy().strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        details.add(detail("misfirePolicy", "misfirePolicy must be ALL, LAST or NONE"));
      }
    }
    int cap = r.misfireCap() == null ? 10 : r.misfireCap();
    if (cap < 1 || cap > 1000) {
      details.add(detail("misfireCap", "misfireCap must be between 1 and 1000"));
    }
    if (r.releaseId() != null && r.releaseId().isBlank()) {
      details.add(detail("releaseId", "releaseId must not be blank (omit it for the latest)"));
    }
    if (r.description() != null && r.description().length() > 2000) {
      details.add(detail("description", "description is longer than 2000 characters"));
    }
    ScheduleSpec spec = null;
    try {
      spec = ScheduleSpec.of(r.cron(), r.rrule(), r.timezone(), start, end, anchor);
    } catch (InvalidScheduleException e) {
      details.add(detail(e.field(), e.getMessage()));
    }
    if (!details.isEmpty()) {
      throw DataplaneException.invalid(details);
    }
    return new Definition(
        r.name(),
        r.pipeline(),
        r.description(),
        blankToNull(r.cron()),
        blankToNull(r.rrule()),
        r.timezone().strip(),
        start,
        end,
        r.params() == null ? Map.of() : r.params(),
        policy,
        cap,
        r.enabled() == null || r.enabled(),
        r.releaseId(),
        spec);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static void checkName(List<ErrorResponse.Detail> details, String field, String v) {
    if (v == null || v.isBlank()) {
      details.add(detail(field, field + " is required"));
    } else if (!NAME.matcher(v).matches()) {
      details.add(
          detail(field, field + " must be 1-128 letters, digits, '.', '_' or '-', starting alnum"));
    }
  }

  private static Instant instant(List<ErrorResponse.Detail> details, String field, String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(v.strip());
    } catch (DateTimeParseException e) {
      details.add(
          detail(field, field + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z"));
      return null;
    }
  }

  private static ErrorResponse.Detail detail(String path, String message) {
    return new ErrorResponse.Detail(path, ErrorCodes.INVALID_INPUT, message);
  }

  /** Validates only the rule fields (cron, rrule, timezone, startAt, endAt) and builds the spec. */
  public ScheduleSpec specOf(ScheduleRequest r, Instant anchor) {
    if (r == null) {
      throw DataplaneException.invalid("", "a JSON body is required");
    }
    List<ErrorResponse.Detail> details = new ArrayList<>();
    Instant start = instant(details, "startAt", r.startAt());
    Instant end = instant(details, "endAt", r.endAt());
    if (details.isEmpty()) {
      try {
        return ScheduleSpec.of(r.cron(), r.rrule(), r.timezone(), start, end, anchor);
      } catch (InvalidScheduleException e) {
        details.add(detail(e.field(), e.getMessage()));
      }
    }
    throw DataplaneException.invalid(details);
  }

  public Schedule create(String environment, ScheduleRequest r, String actor) throws SQLException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Definition d = validate(r, now);
    environments.requireExists(environment);
    Schedule s =
        new Schedule(
            UUID.randomUUID(),
            environment,
            d.name(),
            d.pipeline(),
            d.description(),
            d.cron(),
            d.rrule(),
            d.timezone(),
            d.startAt(),
            d.endAt(),
            d.params(),
            d.misfirePolicy(),
            d.misfireCap(),
            d.enabled() ? Schedule.State.ENABLED : Schedule.State.PAUSED,
            null,
            d.releaseId(),
            null,
            now,
            now,
            actor,
            now,
            actor);
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        if (repository.nameTaken(c, environment, d.name(), null)) {
          throw DataplaneException.conflict(
              "a schedule named " + d.name() + " already exists in " + environment);
        }
        repository.insert(c, s);
        repository.notifyChange(c, s.id());
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return s;
  }

  public Schedule get(String environment, UUID id) throws SQLException {
    Schedule s = get(id);
    if (environment != null && !s.environment().equals(environment)) {
      throw DataplaneException.notFound("schedule " + id);
    }
    return s;
  }

  public Schedule get(UUID id) throws SQLException {
    return repository.find(id).orElseThrow(() -> DataplaneException.notFound("schedule " + id));
  }

  public List<Schedule> list(String environment, String pipeline) throws SQLException {
    return repository.list(environment, pipeline);
  }

  public Schedule replace(String environment, UUID id, ScheduleRequest r, String actor)
      throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        Schedule old =
            repository
                .find(c, id, true)
                .filter(s -> s.environment().equals(environment))
                .orElseThrow(() -> DataplaneException.notFound("schedule " + id));
        Definition d = validate(r, old.createdAt());
        if (repository.nameTaken(c, environment, d.name(), id)) {
          throw DataplaneException.conflict(
              "a schedule named " + d.name() + " already exists in " + environment);
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Schedule.State state;
        String reason;
        if (!d.enabled()) {
          state = Schedule.State.PAUSED;
          reason = old.state() == Schedule.State.PAUSED ? old.stateReason() : "paused by " + actor;
        } else if (old.state() == Schedule.State.STOPPED) {
          state = Schedule.State.STOPPED;
          reason = old.stateReason();
        } else {
          state = Schedule.State.ENABLED;
          reason = null;
        }
        boolean ruleChanged =
            !Objects.equals(old.cron(), d.cron())
                || !Objects.equals(old.rrule(), d.rrule())
                || !old.timezone().equals(d.timezone())
                || !Objects.equals(old.startAt(), d.startAt());
        boolean resumed = state == Schedule.State.ENABLED && old.state() != Schedule.State.ENABLED;
        Instant firedThrough =
            (ruleChanged || resumed) && old.firedThrough().isBefore(now) ? now : old.firedThrough();
        Schedule s =
            new Schedule(
                id,
                environment,
                d.name(),
                d.pipeline(),
                d.description(),
                d.cron(),
                d.rrule(),
                d.timezone(),
                d.startAt(),
                d.endAt(),
                d.params(),
                d.misfirePolicy(),
                d.misfireCap(),
                state,
                reason,
                d.releaseId(),
                d.pipeline().equals(old.pipeline()) ? old.latestReleaseId() : null,
                firedThrough,
                old.createdAt(),
                old.createdBy(),
                now,
                actor);
        repository.update(c, s);
        repository.notifyChange(c, id);
        c.commit();
        return s;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  public void delete(String environment, UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        repository
            .find(c, id, true)
            .filter(s -> s.environment().equals(environment))
            .orElseThrow(() -> DataplaneException.notFound("schedule " + id));
        repository.delete(c, id);
        repository.notifyChange(c, id);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Pauses (idempotent). */
  public Schedule pause(UUID id, String actor) throws SQLException {
    return setState(id, Schedule.State.PAUSED, "paused by " + actor, actor);
  }

  /** Resumes (idempotent); fire times that passed while paused are not fired. */
  public Schedule resume(UUID id, String actor) throws SQLException {
    return setState(id, Schedule.State.ENABLED, null, actor);
  }

  /** Sets a state; used by the API and by pipeline events (STOPPED). */
  public Schedule setState(UUID id, Schedule.State state, String reason, String actor)
      throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        Schedule s = setState(c, id, state, reason, actor);
        c.commit();
        return s;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  public Schedule setState(Connection c, UUID id, Schedule.State state, String reason, String actor)
      throws SQLException {
    Schedule old =
        repository
            .find(c, id, true)
            .orElseThrow(() -> DataplaneException.notFound("schedule " + id));
    if (old.state() == state) {
      return old;
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Instant firedThrough =
        state == Schedule.State.ENABLED && old.firedThrough().isBefore(now)
            ? now
            : old.firedThrough();
    Schedule s =
        new Schedule(
            old.id(),
            old.environment(),
            old.name(),
            old.pipeline(),
            old.description(),
            old.cron(),
            old.rrule(),
            old.timezone(),
            old.startAt(),
            old.endAt(),
            old.params(),
            old.misfirePolicy(),
            old.misfireCap(),
            state,
            reason,
            old.releaseId(),
            old.latestReleaseId(),
            firedThrough,
            old.createdAt(),
            old.createdBy(),
            now,
            actor);
    repository.update(c, s);
    repository.notifyChange(c, id);
    return s;
  }
}
