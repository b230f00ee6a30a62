package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.common.triggers.TriggerRules;
import io.dataplane.common.triggers.TriggerSpec;
import io.dataplane.scheduler.Schedule;
import io.dataplane.scheduler.Trigger;
import io.dataplane.scheduler.repository.TriggerRepository;
import io.dataplane.scheduler.rest.TriggerRequest;
import io.dataplane.scheduler.trigger.HookSignature;
import io.dataplane.scheduler.trigger.TriggerGraph;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Trigger CRUD and state changes, with validation that names each invalid field. */
@ApplicationScoped
public class TriggerService {

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
    return build(r, r.name(), id, env, created, createdBy, actor);
  }

  private Trigger build(
      TriggerRequest r,
      String storedName,
      UUID id,
      String env,
      Instant created,
      String createdBy,
      String actor) {
    List<ErrorResponse.Detail> d = new ArrayList<>();
    TriggerRules.Normal n = TriggerRules.check(r.spec(), env, "", d);
    if (r.releaseId() != null && r.releaseId().isBlank()) {
      d.add(
          new ErrorResponse.Detail(
              "releaseId",
              ErrorCodes.INVALID_INPUT,
              "releaseId must not be blank (omit it for the latest)"));
    }
    if (!d.isEmpty()) {
      throw DataplaneException.invalid(d);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    boolean enabled = r.enabled() == null || r.enabled();
    Trigger.Kind kind = Trigger.Kind.valueOf(n.kind());
    return new Trigger(
        id,
        env,
        storedName,
        r.pipeline(),
        kind,
        r.description(),
        n.upstreamPipeline(),
        n.onState(),
        n.topic(),
        kind == Trigger.Kind.KAFKA ? r.filterField() : null,
        kind == Trigger.Kind.KAFKA ? r.filterValue() : null,
        n.auth(),
        null,
        "HMAC".equals(n.auth()) ? r.secretName() : null,
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
    Trigger v = validate(r, UUID.randomUUID(), env, null, null, actor);
    environments.requireExists(env);
    String token = "TOKEN".equals(v.auth()) ? newToken() : null;
    Trigger t = token == null ? v : v.withTokenHash(HookSignature.tokenHash(token));
    repository.inTransaction(
        c -> {
          Conflicts.refuseTakenName(
              repository.nameTaken(c, env, t.name(), null), "trigger", t.name(), env);
          checkLoop(c, t);
          repository.insert(c, t);
        });
    return new Saved(t, token);
  }

  public Saved replace(String env, UUID id, TriggerRequest r, String actor) throws SQLException {
    return repository.inTransaction(
        c -> {
          Trigger old = lock(c, env, id);
          refuseDeclared(old, "changed");
          Trigger t = validate(r, id, env, old.createdAt(), old.createdBy(), actor);
          Conflicts.refuseTakenName(
              repository.nameTaken(c, env, t.name(), id), "trigger", t.name(), env);
          String token = null;
          if ("TOKEN".equals(t.auth())) {
            if (old.tokenHash() == null || Boolean.TRUE.equals(r.rotateToken())) {
              token = newToken();
              t = t.withTokenHash(HookSignature.tokenHash(token));
            } else {
              t = t.withTokenHash(old.tokenHash());
            }
          }
          if (old.state() == Schedule.State.STOPPED && t.state() == Schedule.State.ENABLED) {
            t = t.withState(Schedule.State.STOPPED, old.stateReason(), t.updatedAt(), actor);
          } else if (old.state() == Schedule.State.PAUSED && t.state() == Schedule.State.PAUSED) {
            t = t.withState(Schedule.State.PAUSED, old.stateReason(), t.updatedAt(), actor);
          }
          t = t.withLatest(t.pipeline().equals(old.pipeline()) ? old.latestReleaseId() : null);
          checkLoop(c, t);
          repository.update(c, t);
          return new Saved(t, token);
        });
  }

  public void delete(String env, UUID id) throws SQLException {
    repository.inTransaction(
        c -> {
          Trigger old = lock(c, env, id);
          refuseDeclared(old, "deleted");
          repository.delete(c, id);
        });
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
    return repository.inTransaction(
        c -> {
          Trigger old = lock(c, env, id);
          Schedule.State want = paused ? Schedule.State.PAUSED : Schedule.State.ENABLED;
          if (old.state() == want) {
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
          return t;
        });
  }

  private static void refuseDeclared(Trigger t, String what) {
    if (t.declared()) {
      throw DataplaneException.conflict(
          "trigger "
              + t.name()
              + " is declared in the definition of pipeline "
              + t.pipeline()
              + ": it is "
              + what
              + " by changing the definition and releasing it (pausing it works here)");
    }
  }

  /**
   * Keeps the triggers a pipeline's definition declares in step with its current release, in the
   * caller's transaction: a declared trigger is created, changed to the definition, or STOPPED when
   * the definition no longer has it (its ledger stays, and declaring it again starts it again). A
   * pause by a user outlives releases. A declared trigger that breaks a rule of this environment (a
   * topic it may not read, a loop of completion triggers) is kept STOPPED with the reason, so the
   * release still goes through and the reason shows on the trigger.
   *
   * @param specs the release's declared triggers, topics relative to the environment
   * @return how many declared triggers were created, changed or stopped
   */
  public int syncDeclared(
      Connection c, String env, String pipeline, String releaseId, List<TriggerSpec> specs)
      throws SQLException {
    String actor = "release " + releaseId;
    Map<String, Trigger> existing = new HashMap<>();
    for (Trigger t : repository.list(c, env, pipeline, true)) {
      if (t.declared()) {
        existing.put(t.name(), t);
      }
    }
    int changed = 0;
    for (TriggerSpec spec : specs) {
      String stored = Trigger.declaredName(pipeline, spec.name());
      Trigger old = existing.remove(stored);
      TriggerRequest r =
          new TriggerRequest(
              spec.name(),
              pipeline,
              spec.kind(),
              spec.description(),
              spec.upstreamPipeline(),
              spec.onState(),
              spec.topic() == null ? null : env + "." + spec.topic(),
              spec.filterField(),
              spec.filterValue(),
              spec.auth(),
              spec.secretName(),
              spec.params(),
              spec.enabled(),
              null,
              null);
      Trigger t;
      try {
        t =
            build(
                r,
                stored,
                old == null ? UUID.randomUUID() : old.id(),
                env,
                old == null ? null : old.createdAt(),
                old == null ? null : old.createdBy(),
                actor);
      } catch (DataplaneException e) {
        // the orchestrator checked the definition; only this environment's own rules are left
        Log.errorf(
            "declared trigger %s of %s/%s (release %s) breaks a rule: %s",
            spec.name(), env, pipeline, releaseId, e.getMessage());
        if (old == null) {
          continue;
        }
        t = stopped(old, "the definition of release " + releaseId + " breaks a rule", actor);
      }
      if (old != null
          && old.state() == Schedule.State.PAUSED
          && t.state() != Schedule.State.STOPPED
          && (old.stateReason() == null || !old.stateReason().startsWith("paused by release"))) {
        // paused by a user: a release does not resume it
        t = t.withState(Schedule.State.PAUSED, old.stateReason(), t.updatedAt(), actor);
      }
      try {
        checkLoop(c, t);
      } catch (DataplaneException e) {
        t = stopped(t, e.getMessage(), actor);
      }
      t = t.withLatest(releaseId);
      if (old == null) {
        repository.insert(c, t);
      } else {
        repository.update(c, t);
      }
      changed++;
    }
    for (Trigger gone : existing.values()) {
      if (gone.state() != Schedule.State.STOPPED) {
        repository.update(
            c,
            stopped(gone, "no longer declared by the definition of release " + releaseId, actor));
        changed++;
      }
    }
    return changed;
  }

  private static Trigger stopped(Trigger t, String reason, String actor) {
    return t.withState(
        Schedule.State.STOPPED, reason, Instant.now().truncatedTo(ChronoUnit.MICROS), actor);
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

  /** The trigger, locked; not found unless it belongs to the environment. */
  private Trigger lock(Connection c, String env, UUID id) throws SQLException {
    return repository
        .find(c, id, true)
        .filter(t -> t.environment().equals(env))
        .orElseThrow(() -> DataplaneException.notFound("trigger " + id));
  }
}
