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
      ScheduleSpec spec) {

    /** The schedule of this definition, with its identity, state and bookkeeping. */
    Schedule schedule(
        UUID id,
        String environment,
        Schedule.State state,
        String reason,
        String latestReleaseId,
        Instant firedThrough,
        Instant createdAt,
        String createdBy,
        Instant at,
        String actor) {
      return new Schedule(
          id,
          environment,
          name,
          pipeline,
          description,
          cron,
          rrule,
          timezone,
          startAt,
          endAt,
          params,
          misfirePolicy,
          misfireCap,
          state,
          reason,
          releaseId,
          latestReleaseId,
          firedThrough,
          createdAt,
          createdBy,
          at,
          actor);
    }
  }

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
        d.schedule(
            UUID.randomUUID(),
            environment,
            d.enabled() ? Schedule.State.ENABLED : Schedule.State.PAUSED,
            null,
            null,
            now,
            now,
            actor,
            now,
            actor);
    repository.inTransaction(
        c -> {
          Conflicts.refuseTakenName(
              repository.nameTaken(c, environment, d.name(), null),
              "schedule",
              d.name(),
              environment);
          repository.insert(c, s);
          repository.notifyChange(c, s.id());
        });
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
    return repository.inTransaction(
        c -> {
          Schedule old = lock(c, environment, id);
          Definition d = validate(r, old.createdAt());
          Conflicts.refuseTakenName(
              repository.nameTaken(c, environment, d.name(), id),
              "schedule",
              d.name(),
              environment);
          Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
          Schedule.State state;
          String reason;
          if (!d.enabled()) {
            state = Schedule.State.PAUSED;
            reason =
                old.state() == Schedule.State.PAUSED ? old.stateReason() : "paused by " + actor;
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
          boolean resumed =
              state == Schedule.State.ENABLED && old.state() != Schedule.State.ENABLED;
          Instant firedThrough =
              (ruleChanged || resumed) && old.firedThrough().isBefore(now)
                  ? now
                  : old.firedThrough();
          Schedule s =
              d.schedule(
                  id,
                  environment,
                  state,
                  reason,
                  d.pipeline().equals(old.pipeline()) ? old.latestReleaseId() : null,
                  firedThrough,
                  old.createdAt(),
                  old.createdBy(),
                  now,
                  actor);
          repository.update(c, s);
          repository.notifyChange(c, id);
          return s;
        });
  }

  public void delete(String environment, UUID id) throws SQLException {
    repository.inTransaction(
        c -> {
          lock(c, environment, id);
          repository.delete(c, id);
          repository.notifyChange(c, id);
        });
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
    return repository.inTransaction(
        c -> {
          return setState(c, id, state, reason, actor);
        });
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
    Schedule s = old.withState(state, reason, firedThrough, now, actor);
    repository.update(c, s);
    repository.notifyChange(c, id);
    return s;
  }

  /** The schedule, locked; not found unless it belongs to the environment. */
  private Schedule lock(Connection c, String env, UUID id) throws SQLException {
    return repository
        .find(c, id, true)
        .filter(s -> s.environment().equals(env))
        .orElseThrow(() -> DataplaneException.notFound("schedule " + id));
  }
}
