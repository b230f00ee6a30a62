package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.dataplane.scheduler.rest.TriggerRequest;
import io.dataplane.scheduler.trigger.HookSignature;
import io.dataplane.scheduler.trigger.ParamTemplates;
import io.dataplane.scheduler.trigger.TriggerGraph;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Trigger CRUD and state changes, with validation that names each invalid field. */
@ApplicationScoped
public class TriggerService {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern PIPELINE = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern SECRET = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  private static final Set<String> ON_STATES = Set.of("SUCCEEDED", "FAILED", "ANY");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TriggerRepository repository;
  private final EnvironmentCheck environments;

  public TriggerService(TriggerRepository repository, EnvironmentCheck environments) {
    this.repository = repository;
    this.environments = environments;
  }

  /** A trigger and, right after creation or rotation only, its webhook token. */
  public record Saved(Trigger trigger, String token) {}

  /** Validates a request into a trigger (id, state and audit fields from the arguments). */
  Trigger validate(
      TriggerRequest r, UUID id, String env, Instant created, String createdBy, String actor) {
    if (r == null) {
      throw DataplaneException.invalid("", "a JSON body is required");
    }
    List<ErrorResponse.Detail> d = new ArrayList<>();
    name(d, "name", r.name(), NAME);
    name(d, "pipeline", r.pipeline(), PIPELINE);
    Trigger.Kind kind = null;
    if (r.kind() == null || r.kind().isBlank()) {
      d.add(detail("kind", "kind is required: COMPLETION, WEBHOOK or KAFKA"));
    } else {
      try {
        kind = Trigger.Kind.valueOf(r.kind().strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        d.add(detail("kind", "kind must be COMPLETION, WEBHOOK or KAFKA"));
      }
    }
    String upstream = null;
    String onState = null;
    String topic = null;
    String auth = null;
    if (kind == Trigger.Kind.COMPLETION) {
      if (r.upstreamPipeline() != null && r.upstreamPipeline().contains("/")) {
        d.add(
            detail(
                "upstreamPipeline",
                "upstreamPipeline names a pipeline of the trigger's own environment;"
                    + " another environment's pipeline cannot be watched"));
      } else {
        name(d, "upstreamPipeline", r.upstreamPipeline(), PIPELINE);
      }
      upstream = r.upstreamPipeline();
      onState = r.onState() == null ? "SUCCEEDED" : r.onState().strip().toUpperCase(Locale.ROOT);
      if (!ON_STATES.contains(onState)) {
        d.add(detail("onState", "onState must be SUCCEEDED, FAILED or ANY"));
      }
    } else if (kind == Trigger.Kind.KAFKA) {
      topic = r.topic() == null ? null : r.topic().strip();
      if (topic == null || !TOPIC.matcher(topic).matches()) {
        d.add(detail("topic", "topic must be 1-249 letters, digits, '.', '_' or '-'"));
      } else if (!topic.startsWith(env + ".")) {
        d.add(
            detail(
                "topic",
                "an environment's triggers read only topics named "
                    + env
                    + ".<name>: another environment's messages never start runs here"));
      } else if (topic.startsWith("dataplane.") || topic.startsWith("__")) {
        d.add(
            detail(
                "topic",
                "topic must be an external topic, not one of the platform's own or Kafka's"));
      }
      if (r.filterField() != null && !FIELD.matcher(r.filterField()).matches()) {
        d.add(detail("filterField", "filterField must be a JSON field name (dots for nesting)"));
      }
      if ((r.filterField() == null) != (r.filterValue() == null)) {
        d.add(detail("filterValue", "give filterField and filterValue together"));
      }
    } else if (kind == Trigger.Kind.WEBHOOK) {
      auth = r.auth() == null ? "TOKEN" : r.auth().strip().toUpperCase(Locale.ROOT);
      if (!auth.equals("TOKEN") && !auth.equals("HMAC")) {
        d.add(detail("auth", "auth must be TOKEN or HMAC"));
      } else if (auth.equals("HMAC")
          && (r.secretName() == null || !SECRET.matcher(r.secretName()).matches())) {
        d.add(detail("secretName", "HMAC needs secretName, the secret holding the signing key"));
      }
    }
    if (r.releaseId() != null && r.releaseId().isBlank()) {
      d.add(detail("releaseId", "releaseId must not be blank (omit it for the latest)"));
    }
    if (r.description() != null && r.description().length() > 2000) {
      d.add(detail("description", "description is longer than 2000 characters"));
    }
    try {
      ParamTemplates.check(r.params());
      ParamTemplates.requireNoNul("params", r.params());
    } catch (ParamTemplates.TemplateException e) {
      d.add(detail("params." + e.param(), e.getMessage()));
    }
    if (!d.isEmpty()) {
      throw DataplaneException.invalid(d);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    boolean enabled = r.enabled() == null || r.enabled();
    return new Trigger(
        id,
        env,
        r.name(),
        r.pipeline(),
        kind,
        r.description(),
        upstream,
        onState,
        topic,
        kind == Trigger.Kind.KAFKA ? r.filterField() : null,
        kind == Trigger.Kind.KAFKA ? r.filterValue() : null,
        auth,
        null,
        "HMAC".equals(auth) ? r.secretName() : null,
        r.params() == null ? Map.of() : r.params(),
        enabled ? Schedule.State.ENABLED : Schedule.State.PAUSED,
        enabled ? null : "paused by " + actor,
        r.releaseId(),
        null,
        created == null ? now : created,
        createdBy == null ? actor : createdBy,
        now,
        actor);
  }

  public Saved create(String env, TriggerRequest r, String actor) throws SQLException {
    Trigger t = validate(r, UUID.randomUUID(), env, null, null, actor);
    environments.requireExists(env);
    String token = null;
    if ("TOKEN".equals(t.auth())) {
      token = newToken();
      t = withTokenHash(t, HookSignature.tokenHash(token));
    }
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        if (repository.nameTaken(c, env, t.name(), null)) {
          throw DataplaneException.conflict(
              "a trigger named " + t.name() + " already exists in " + env);
        }
        checkLoop(c, t);
        repository.insert(c, t);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return new Saved(t, token);
  }

  public Saved replace(String env, UUID id, TriggerRequest r, String actor) throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        Trigger old =
            repository
                .find(c, id, true)
                .filter(t -> t.environment().equals(env))
                .orElseThrow(() -> DataplaneException.notFound("trigger " + id));
        Trigger t = validate(r, id, env, old.createdAt(), old.createdBy(), actor);
        if (repository.nameTaken(c, env, t.name(), id)) {
          throw DataplaneException.conflict(
              "a trigger named " + t.name() + " already exists in " + env);
        }
        String token = null;
        if ("TOKEN".equals(t.auth())) {
          if (old.tokenHash() == null || Boolean.TRUE.equals(r.rotateToken())) {
            token = newToken();
            t = withTokenHash(t, HookSignature.tokenHash(token));
          } else {
            t = withTokenHash(t, old.tokenHash());
          }
        }
        if (old.state() == Schedule.State.STOPPED && t.state() == Schedule.State.ENABLED) {
          t = t.withState(Schedule.State.STOPPED, old.stateReason(), t.updatedAt(), actor);
        } else if (old.state() == Schedule.State.PAUSED && t.state() == Schedule.State.PAUSED) {
          t = t.withState(Schedule.State.PAUSED, old.stateReason(), t.updatedAt(), actor);
        }
        t = withLatest(t, t.pipeline().equals(old.pipeline()) ? old.latestReleaseId() : null);
        checkLoop(c, t);
        repository.update(c, t);
        c.commit();
        return new Saved(t, token);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  public void delete(String env, UUID id) throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        repository
            .find(c, id, true)
            .filter(t -> t.environment().equals(env))
            .orElseThrow(() -> DataplaneException.notFound("trigger " + id));
        repository.delete(c, id);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  public Trigger get(String env, UUID id) throws SQLException {
    return repository
        .find(id)
        .filter(t -> env == null || t.environment().equals(env))
        .orElseThrow(() -> DataplaneException.notFound("trigger " + id));
  }

  public List<Trigger> list(String env, String pipeline) throws SQLException {
    return repository.list(env, pipeline);
  }

  /** Pauses or resumes (idempotent); a STOPPED trigger (its pipeline went) stays stopped. */
  public Trigger setPaused(String env, UUID id, boolean paused, String actor) throws SQLException {
    try (Connection c = repository.connection()) {
      c.setAutoCommit(false);
      try {
        Trigger old =
            repository
                .find(c, id, true)
                .filter(t -> t.environment().equals(env))
                .orElseThrow(() -> DataplaneException.notFound("trigger " + id));
        Schedule.State want = paused ? Schedule.State.PAUSED : Schedule.State.ENABLED;
        if (old.state() == want) {
          c.rollback();
          return old;
        }
        if (old.state() == Schedule.State.STOPPED) {
          throw DataplaneException.conflict(
              "trigger " + id + " is stopped (" + old.stateReason() + ")");
        }
        Trigger t =
            old.withState(
                want,
                paused ? "paused by " + actor : null,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                actor);
        repository.update(c, t);
        c.commit();
        return t;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private void checkLoop(Connection c, Trigger t) throws SQLException {
    if (t.kind() != Trigger.Kind.COMPLETION) {
      return;
    }
    Optional<List<String>> cycle =
        TriggerGraph.cycle(
            repository.completionEdges(c, t.environment(), t.id()),
            new TriggerGraph.Edge(t.upstreamPipeline(), t.pipeline()));
    if (cycle.isPresent()) {
      throw new DataplaneException(
          ErrorCodes.CONFLICT,
          "this completion trigger would close a loop: "
              + String.join(" → ", cycle.get())
              + " (a loop would start runs forever)");
    }
  }

  private static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "dph_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static Trigger withTokenHash(Trigger t, String hash) {
    return new Trigger(
        t.id(),
        t.environment(),
        t.name(),
        t.pipeline(),
        t.kind(),
        t.description(),
        t.upstreamPipeline(),
        t.onState(),
        t.topic(),
        t.filterField(),
        t.filterValue(),
        t.auth(),
        hash,
        t.secretName(),
        t.params(),
        t.state(),
        t.stateReason(),
        t.releaseId(),
        t.latestReleaseId(),
        t.createdAt(),
        t.createdBy(),
        t.updatedAt(),
        t.updatedBy());
  }

  private static Trigger withLatest(Trigger t, String latest) {
    return new Trigger(
        t.id(),
        t.environment(),
        t.name(),
        t.pipeline(),
        t.kind(),
        t.description(),
        t.upstreamPipeline(),
        t.onState(),
        t.topic(),
        t.filterField(),
        t.filterValue(),
        t.auth(),
        t.tokenHash(),
        t.secretName(),
        t.params(),
        t.state(),
        t.stateReason(),
        t.releaseId(),
        latest,
        t.createdAt(),
        t.createdBy(),
        t.updatedAt(),
        t.updatedBy());
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
