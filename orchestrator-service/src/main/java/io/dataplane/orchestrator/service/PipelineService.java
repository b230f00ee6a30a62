package io.dataplane.orchestrator.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.common.events.PipelineDeleted;
import io.dataplane.common.events.PipelineReleased;
import io.dataplane.common.events.Topics;
import io.dataplane.common.json.Json;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.orchestrator.Deployment;
import io.dataplane.orchestrator.Environment;
import io.dataplane.orchestrator.Pipeline;
import io.dataplane.orchestrator.Release;
import io.dataplane.orchestrator.WorkerGroup;
import io.dataplane.orchestrator.client.SecretsClient;
import io.dataplane.orchestrator.config.OrchestratorConfig;
import io.dataplane.orchestrator.dag.DefinitionReader;
import io.dataplane.orchestrator.dag.PipelineDefinition;
import io.dataplane.orchestrator.dag.ValidationError;
import io.dataplane.orchestrator.messaging.DispatchTopicAdmin;
import io.dataplane.orchestrator.messaging.EventOutbox;
import io.dataplane.orchestrator.repository.Db;
import io.dataplane.orchestrator.repository.Rows;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/** Environments, worker groups, pipeline drafts, releases and promotions. */
@ApplicationScoped
public class PipelineService {

  static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private final Db db;
  private final EventOutbox events;
  private final DispatchTopicAdmin dispatchTopics;

  private final SecretsClient secrets;
  private final int keepDrafts;

  public PipelineService(
      Db db, EventOutbox events, DispatchTopicAdmin dispatchTopics, OrchestratorConfig config) {
    String token = ServiceAuth.outgoingToken();
    this.db = db;
    this.events = events;
    this.dispatchTopics = dispatchTopics;
    this.secrets = config.secretsUrl().map(u -> new SecretsClient(u, token)).orElse(null);
    this.keepDrafts = config.drafts().keep();
  }

  /** The outcome of a create-if-absent: the record and whether it is new. */
  public record Saved<T>(T value, boolean created) {}

  // --- environments and worker groups ---

  public Environment createEnvironment(String name, String description, String actor) {
    checkName(name, "name");
    Environment created =
        db.tx(
            tx -> {
              int n =
                  tx.update(
                      "insert into environments (name, description, created_by) values (?, ?, ?)"
                          + " on conflict do nothing",
                      name,
                      description,
                      actor);
              if (n == 0) {
                throw DataplaneException.conflict("environment '" + name + "' already exists");
              }
              // tasks that name no worker group run in "default"
              tx.update(
                  "insert into worker_groups (environment, name, description, created_by)"
                      + " values (?, ?, 'tasks that name no worker group', ?)",
                  name,
                  PipelineDefinition.DEFAULT_WORKER_GROUP,
                  actor);
              return tx.one("select * from environments where name = ?", Rows::environment, name)
                  .orElseThrow();
            });
    dispatchTopics.ensure(name, PipelineDefinition.DEFAULT_WORKER_GROUP);
    return created;
  }

  public List<Environment> listEnvironments() {
    return db.tx(tx -> tx.list("select * from environments order by name", Rows::environment));
  }

  public Environment getEnvironment(String name) {
    return db.tx(tx -> environment(tx, name));
  }

  Environment environment(Db.Tx tx, String name) throws SQLException {
    return tx.one("select * from environments where name = ?", Rows::environment, name)
        .orElseThrow(() -> DataplaneException.notFound("environment '" + name + "'"));
  }

  public WorkerGroup createWorkerGroup(String env, String name, String description, String actor) {
    checkName(name, "name");
    WorkerGroup created =
        db.tx(
            tx -> {
              environment(tx, env);
              int n =
                  tx.update(
                      "insert into worker_groups (environment, name, description, created_by)"
                          + " values (?, ?, ?, ?) on conflict do nothing",
                      env,
                      name,
                      description,
                      actor);
              if (n == 0) {
                throw DataplaneException.conflict(
                    "worker group '" + name + "' already exists in '" + env + "'");
              }
              return tx.one(
                      "select * from worker_groups where environment = ? and name = ?",
                      Rows::workerGroup,
                      env,
                      name)
                  .orElseThrow();
            });
    dispatchTopics.ensure(env, name);
    return created;
  }

  /** Changes a worker group's description. */
  public WorkerGroup updateWorkerGroup(String env, String name, String description) {
    return db.tx(
        tx -> {
          environment(tx, env);
          if (tx.update(
                  "update worker_groups set description = ? where environment = ? and name = ?",
                  description,
                  env,
                  name)
              == 0) {
            throw DataplaneException.notFound("worker group '" + name + "' in '" + env + "'");
          }
          return tx.one(
                  "select * from worker_groups where environment = ? and name = ?",
                  Rows::workerGroup,
                  env,
                  name)
              .orElseThrow();
        });
  }

  /** How many names a conflict lists at most. */
  private static final int NAMED = 10;

  /**
   * Deletes a worker group; refused (409, naming them) while unfinished runs have tasks in it or a
   * pipeline's draft or current release names it. {@code default} stays: tasks that name no group
   * run there. Its dispatch topic is left to the operator (docs/deploy.md).
   */
  public void deleteWorkerGroup(String env, String name) {
    db.tx(
        tx -> {
          environment(tx, env);
          if (PipelineDefinition.DEFAULT_WORKER_GROUP.equals(name)) {
            throw DataplaneException.conflict(
                "worker group 'default' cannot be deleted: tasks that name no group run there");
          }
          tx.list(
              "select 1 from worker_groups where environment = ? and name = ? for update",
              rs -> 1,
              env,
              name);
          List<String> runs =
              tx.list(
                  "select distinct r.id::text from runs r join task_runs t on t.run_id = r.id"
                      + " where r.environment = ? and t.worker_group = ?"
                      + " and r.state in ('QUEUED', 'RUNNING') order by 1 limit "
                      + NAMED,
                  rs -> rs.getString(1),
                  env,
                  name);
          if (!runs.isEmpty()) {
            throw DataplaneException.conflict(
                "worker group '"
                    + name
                    + "' has tasks of unfinished runs: "
                    + String.join(", ", runs)
                    + "; wait for them or cancel them first");
          }
          List<String> users =
              tx.list(
                  "select p.name from pipelines p left join releases r on r.id ="
                      + " coalesce(p.current_release_id, (select x.id from releases x where"
                      + " x.environment = p.environment and x.pipeline = p.name order by x.seq desc"
                      + " limit 1)) where p.environment = ? and (exists (select 1 from"
                      + " jsonb_array_elements(p.definition -> 'tasks') t where t ->> 'workerGroup'"
                      + " = ?) or exists (select 1 from jsonb_array_elements(r.definition -> 'tasks')"
                      + " t where t ->> 'workerGroup' = ?)) order by p.name limit "
                      + NAMED,
                  rs -> rs.getString(1),
                  env,
                  name,
                  name);
          if (!users.isEmpty()) {
            throw DataplaneException.conflict(
                "worker group '"
                    + name
                    + "' is used by pipeline(s) "
                    + String.join(", ", users)
                    + " (draft or current release); change them first");
          }
          if (tx.update("delete from worker_groups where environment = ? and name = ?", env, name)
              == 0) {
            throw DataplaneException.notFound("worker group '" + name + "' in '" + env + "'");
          }
          return null;
        });
  }

  /** Changes an environment's description. */
  public Environment updateEnvironment(String name, String description) {
    return db.tx(
        tx -> {
          if (tx.update("update environments set description = ? where name = ?", description, name)
              == 0) {
            throw DataplaneException.notFound("environment '" + name + "'");
          }
          return tx.one("select * from environments where name = ?", Rows::environment, name)
              .orElseThrow();
        });
  }

  public List<WorkerGroup> listWorkerGroups(String env) {
    return db.tx(
        tx -> {
          environment(tx, env);
          return tx.list(
              "select * from worker_groups where environment = ? order by name",
              Rows::workerGroup,
              env);
        });
  }

  Set<String> groups(Db.Tx tx, String env) throws SQLException {
    return new HashSet<>(
        tx.list(
            "select name from worker_groups where environment = ?", rs -> rs.getString(1), env));
  }

  // --- pipelines ---

  public DefinitionReader.Result validate(String env, String name, String body, boolean yaml) {
    return db.tx(
        tx -> {
          environment(tx, env);
          String text = body;
          boolean y = yaml;
          if (text == null || text.isBlank()) {
            Pipeline p = pipeline(tx, env, name);
            text = p.source();
            y = !"json".equals(p.sourceFormat());
          }
          return DefinitionReader.read(text, y, name, groups(tx, env));
        });
  }

  public Saved<Pipeline> savePipeline(
      String env, String name, String body, boolean yaml, String actor) {
    return saveDraft(env, name, body, yaml, actor, null);
  }

  /** Saves a draft and records it in the draft history ({@code restoredFrom}: by a restore). */
  Saved<Pipeline> saveDraft(
      String env, String name, String body, boolean yaml, String actor, UUID restoredFrom) {
    checkName(name, "name");
    return db.tx(
        tx -> {
          environment(tx, env);
          DefinitionReader.Result r = DefinitionReader.read(body, yaml, name, groups(tx, env));
          if (!r.valid()) {
            throw invalid(r.errors());
          }
          boolean created =
              tx.update(
                      "insert into pipelines (environment, name, source, source_format, definition,"
                          + " created_by, updated_by) values (?, ?, ?, ?, ?, ?, ?)"
                          + " on conflict do nothing",
                      env,
                      name,
                      body,
                      yaml ? "yaml" : "json",
                      Db.Jsonb.of(r.definition()),
                      actor,
                      actor)
                  == 1;
          if (!created) {
            tx.update(
                "update pipelines set source = ?, source_format = ?, definition = ?,"
                    + " updated_at = now(), updated_by = ? where environment = ? and name = ?",
                body,
                yaml ? "yaml" : "json",
                Db.Jsonb.of(r.definition()),
                actor,
                env,
                name);
          }
          DraftHistory.record(
              tx,
              env,
              name,
              body,
              yaml ? "yaml" : "json",
              r.definition(),
              actor,
              restoredFrom,
              keepDrafts);
          return new Saved<>(pipeline(tx, env, name), created);
        });
  }

  public Pipeline getPipeline(String env, String name) {
    return db.tx(
        tx -> {
          environment(tx, env);
          return pipeline(tx, env, name);
        });
  }

  private static final String PIPELINE_SELECT =
      "select p.*, coalesce(p.current_release_id, (select r.id from releases r where"
          + " r.environment = p.environment and r.pipeline = p.name order by r.seq desc limit 1))"
          + " as latest_release from pipelines p";

  /**
   * The release new runs and schedules on "latest" use: the pipeline's current release (set by
   * releasing and by a rollback), else its newest; empty before the first release.
   */
  public Optional<Release> currentRelease(Db.Tx tx, String env, String name) throws SQLException {
    return tx.one(
        "select "
            + Rows.RELEASE_COLS
            + " from releases where id = coalesce((select current_release_id from pipelines"
            + " where environment = ? and name = ?), (select id from releases where environment = ?"
            + " and pipeline = ? order by seq desc limit 1))",
        Rows::release,
        env,
        name,
        env,
        name);
  }

  Pipeline pipeline(Db.Tx tx, String env, String name) throws SQLException {
    return tx.one(
            PIPELINE_SELECT + " where p.environment = ? and p.name = ?",
            PipelineService::pipelineRow,
            env,
            name)
        .orElseThrow(() -> DataplaneException.notFound("pipeline '" + name + "' in '" + env + "'"));
  }

  private static Pipeline pipelineRow(java.sql.ResultSet rs) throws SQLException {
    UUID latest = Db.uuid(rs, "latest_release");
    return new Pipeline(
        rs.getString("environment"),
        rs.getString("name"),
        Db.json(rs, "definition", PipelineDefinition.class),
        rs.getString("source"),
        rs.getString("source_format"),
        Db.instant(rs, "created_at"),
        rs.getString("created_by"),
        Db.instant(rs, "updated_at"),
        rs.getString("updated_by"),
        latest == null ? null : latest.toString());
  }

  public List<Pipeline> listPipelines(String env) {
    return db.tx(
        tx -> {
          environment(tx, env);
          return tx.list(
              PIPELINE_SELECT + " where p.environment = ? order by p.name",
              PipelineService::pipelineRow,
              env);
        });
  }

  public void deletePipeline(String env, String name) {
    db.tx(
        tx -> {
          environment(tx, env);
          int n = tx.update("delete from pipelines where environment = ? and name = ?", env, name);
          if (n == 0) {
            throw DataplaneException.notFound("pipeline '" + name + "' in '" + env + "'");
          }
          events.append(
              tx, Topics.PIPELINE_EVENTS, env + "/" + name, new PipelineDeleted(env, name));
          return null;
        });
  }

  // --- releases ---

  public Saved<Release> release(String env, String name, String bundleDigest, String actor) {
    if (bundleDigest != null && !DIGEST.matcher(bundleDigest).matches()) {
      throw DataplaneException.invalid("bundleDigest", "bundleDigest must be sha256:<64 hex>");
    }
    return db.tx(
        tx -> {
          environment(tx, env);
          Pipeline p = pipeline(tx, env, name);
          // the draft was valid when saved; worker groups may have changed since
          DefinitionReader.Result r = DefinitionReader.check(p.definition(), groups(tx, env));
          if (!r.valid()) {
            throw invalid(r.errors());
          }
          return createRelease(tx, env, name, p.definition(), bundleDigest, actor);
        });
  }

  Saved<Release> createRelease(
      Db.Tx tx, String env, String name, PipelineDefinition def, String bundleDigest, String actor)
      throws SQLException {
    String digest = digest(def, bundleDigest);
    UUID id = UUID.randomUUID();
    int n =
        tx.update(
            "insert into releases (id, environment, pipeline, digest, bundle_digest, definition,"
                + " created_by) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
            id,
            env,
            name,
            digest,
            bundleDigest,
            Db.Jsonb.of(def),
            actor);
    Release rel =
        tx.one(
                "select "
                    + Rows.RELEASE_COLS
                    + " from releases where environment = ? and pipeline = ? and digest = ?",
                Rows::release,
                env,
                name,
                digest)
            .orElseThrow();
    UUID before = currentRelease(tx, env, name).map(Release::id).orElse(null);
    tx.update(
        "update pipelines set current_release_id = ? where environment = ? and name = ?",
        rel.id(),
        env,
        name);
    // a new release, or an earlier one released again (after a rollback): it is current now
    if (n == 1 || !rel.id().equals(before)) {
      announce(tx, rel);
    }
    return new Saved<>(rel, n == 1);
  }

  /** Tells the scheduler (schedules and triggers on "latest") which release is current. */
  private void announce(Db.Tx tx, Release rel) throws SQLException {
    events.append(
        tx,
        Topics.PIPELINE_EVENTS,
        rel.environment() + "/" + rel.pipeline(),
        new PipelineReleased(
            rel.environment(),
            rel.pipeline(),
            rel.id().toString(),
            rel.digest(),
            rel.bundleDigest(),
            rel.definition().triggers()));
  }

  /**
   * Makes an earlier release of the pipeline the one new runs and schedules on "latest" use,
   * recorded as a ROLLBACK deployment; rolling back to the current release changes nothing and
   * returns null.
   */
  public Deployment rollback(String env, String name, UUID releaseId, String actor) {
    Set<String> secretNames = secrets == null ? null : secrets.secretNames(env);
    return db.tx(
        tx -> {
          environment(tx, env);
          pipeline(tx, env, name);
          tx.list(
              "select 1 from pipelines where environment = ? and name = ? for update",
              rs -> 1,
              env,
              name);
          Release target =
              tx.one(
                      "select " + Rows.RELEASE_COLS + " from releases where id = ?",
                      Rows::release,
                      releaseId)
                  .filter(r -> r.environment().equals(env) && r.pipeline().equals(name))
                  .orElseThrow(
                      () ->
                          DataplaneException.invalid(
                              "releaseId",
                              "release "
                                  + releaseId
                                  + " is not a release of pipeline '"
                                  + name
                                  + "' in '"
                                  + env
                                  + "'"));
          Release current = currentRelease(tx, env, name).orElseThrow();
          if (current.id().equals(target.id())) {
            return null;
          }
          // the earlier release must still be runnable here: its worker groups and secrets
          DefinitionReader.Result r = DefinitionReader.check(target.definition(), groups(tx, env));
          List<ValidationError> problems = new ArrayList<>(r.errors());
          if (secretNames != null) {
            problems.addAll(missingSecrets(target.definition(), secretNames, env));
          }
          if (!problems.isEmpty()) {
            throw invalid(problems);
          }
          tx.update(
              "update pipelines set current_release_id = ? where environment = ? and name = ?",
              target.id(),
              env,
              name);
          UUID id = UUID.randomUUID();
          tx.update(
              "insert into deployments (id, kind, release_id, environment, pipeline,"
                  + " from_environment, from_release_id, worker_group_map, deployed_by)"
                  + " values (?, 'ROLLBACK', ?, ?, ?, ?, ?, ?, ?)",
              id,
              target.id(),
              env,
              name,
              env,
              current.id(),
              Db.Jsonb.of(Map.of()),
              actor);
          announce(tx, target);
          return tx.one("select * from deployments where id = ?", Rows::deployment, id)
              .orElseThrow();
        });
  }

  /** {@code sha256:} of the canonical JSON of the normalized definition, a newline, the bundle. */
  public static String digest(PipelineDefinition def, String bundleDigest) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(CANONICAL.writeValueAsBytes(def));
      md.update((byte) '\n');
      md.update((bundleDigest == null ? "" : bundleDigest).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public List<Release> listReleases(String env, String name) {
    return db.tx(
        tx -> {
          environment(tx, env);
          return tx.list(
              "select "
                  + Rows.RELEASE_COLS
                  + " from releases where environment = ? and pipeline = ? order by seq desc",
              Rows::release,
              env,
              name);
        });
  }

  public Release getRelease(UUID id) {
    return db.tx(tx -> release(tx, id));
  }

  Release release(Db.Tx tx, UUID id) throws SQLException {
    return tx.one("select " + Rows.RELEASE_COLS + " from releases where id = ?", Rows::release, id)
        .orElseThrow(() -> DataplaneException.notFound("release " + id));
  }

  /** One difference between two releases. */
  public record Change(String path, String kind, Object from, Object to) {}

  /** The differences between two releases, by path (tasks by key). */
  public record Diff(UUID from, UUID to, boolean bundleChanged, List<Change> changes) {}

  public Diff diff(UUID a, UUID b) {
    return db.tx(
        tx -> {
          Release ra = release(tx, a);
          Release rb = release(tx, b);
          List<Change> changes = new ArrayList<>();
          diff("", tree(ra.definition()), tree(rb.definition()), changes);
          boolean bundle = !java.util.Objects.equals(ra.bundleDigest(), rb.bundleDigest());
          if (bundle) {
            changes.add(
                new Change("bundleDigest", "changed", ra.bundleDigest(), rb.bundleDigest()));
          }
          return new Diff(a, b, bundle, changes);
        });
  }

  static JsonNode tree(PipelineDefinition def) {
    Map<String, Object> src = DefinitionReader.toSource(def);
    // tasks keyed by their key, so a diff names tasks and not positions
    Map<String, Object> tasks = new LinkedHashMap<>();
    for (Object t : (List<?>) src.get("tasks")) {
      tasks.put((String) ((Map<?, ?>) t).get("key"), t);
    }
    src.put("tasks", tasks);
    return Json.mapper().valueToTree(src);
  }

  static void diff(String path, JsonNode a, JsonNode b, List<Change> out) {
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> names = new TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
      }
      return;
    }
    if (a == null && b != null) {
      out.add(new Change(path, "added", null, b));
    } else if (a != null && b == null) {
      out.add(new Change(path, "removed", a, null));
    } else if (a != null && !a.equals(b)) {
      out.add(new Change(path, "changed", a, b));
    }
  }

  // --- promotions ---

  /** A promotion's outcome: the deployment record and the release in the target. */
  public record Promotion(Deployment deployment, Release release) {}

  public Promotion promote(
      UUID releaseId, String target, Map<String, String> groupMap, String actor) {
    Map<String, String> map = groupMap == null ? Map.of() : groupMap;
    if (secrets != null) {
      Release src = getRelease(releaseId);
      getEnvironment(target);
      List<ValidationError> missing =
          missingSecrets(src.definition(), secrets.secretNames(target), target);
      if (!missing.isEmpty()) {
        throw invalid(missing);
      }
    }
    return db.tx(
        tx -> {
          Release src = release(tx, releaseId);
          environment(tx, target);
          PipelineDefinition mapped = mapGroups(src.definition(), map);
          DefinitionReader.Result r = DefinitionReader.check(mapped, groups(tx, target));
          if (!r.valid()) {
            throw invalid(r.errors());
          }
          Saved<Release> rel =
              createRelease(tx, target, src.pipeline(), mapped, src.bundleDigest(), actor);
          // the promoted definition becomes the target's draft too
          String source = Db.Jsonb.of(DefinitionReader.toSource(mapped)).json();
          tx.update(
              "insert into pipelines (environment, name, source, source_format, definition,"
                  + " created_by, updated_by) values (?, ?, ?, 'json', ?, ?, ?)"
                  + " on conflict (environment, name) do update set source = excluded.source,"
                  + " source_format = excluded.source_format, definition = excluded.definition,"
                  + " updated_at = now(), updated_by = excluded.updated_by",
              target,
              src.pipeline(),
              source,
              Db.Jsonb.of(mapped),
              actor,
              actor);
          DraftHistory.record(
              tx, target, src.pipeline(), source, "json", mapped, actor, null, keepDrafts);
          UUID id = UUID.randomUUID();
          tx.update(
              "insert into deployments (id, release_id, environment, pipeline, from_environment,"
                  + " from_release_id, worker_group_map, deployed_by) values (?, ?, ?, ?, ?, ?, ?, ?)",
              id,
              rel.value().id(),
              target,
              src.pipeline(),
              src.environment(),
              src.id(),
              Db.Jsonb.of(map),
              actor);
          Deployment d =
              tx.one("select * from deployments where id = ?", Rows::deployment, id).orElseThrow();
          return new Promotion(d, rel.value());
        });
  }

  /** Secrets the definition declares that the target environment does not hold. */
  public static List<ValidationError> missingSecrets(
      PipelineDefinition def, Set<String> present, String target) {
    List<ValidationError> out = new ArrayList<>();
    for (int i = 0; i < def.tasks().size(); i++) {
      PipelineDefinition.Task t = def.tasks().get(i);
      for (String s : t.secrets()) {
        if (!present.contains(s)) {
          out.add(
              new ValidationError(
                  "tasks." + t.key() + ".secrets",
                  "UNKNOWN_SECRET",
                  "secret '" + s + "' does not exist in environment '" + target + "'"));
        }
      }
    }
    return out;
  }

  public List<Deployment> listDeployments(String env, String pipeline) {
    return db.tx(
        tx -> {
          environment(tx, env);
          return tx.list(
              "select * from deployments where environment = ? and pipeline = ?"
                  + " order by deployed_at desc",
              Rows::deployment,
              env,
              pipeline);
        });
  }

  private static PipelineDefinition mapGroups(PipelineDefinition def, Map<String, String> map) {
    List<PipelineDefinition.Task> tasks = new ArrayList<>();
    for (PipelineDefinition.Task t : def.tasks()) {
      tasks.add(
          new PipelineDefinition.Task(
              t.key(),
              t.description(),
              t.runtime(),
              t.script(),
              t.entrypoint(),
              t.dependsOn(),
              map.getOrDefault(t.workerGroup(), t.workerGroup()),
              t.retries(),
              t.timeout(),
              t.secrets(),
              t.env(),
              t.network()));
    }
    return new PipelineDefinition(
        def.name(),
        def.description(),
        map.getOrDefault(def.workerGroup(), def.workerGroup()),
        def.params(),
        def.concurrency(),
        def.maxDuration(),
        def.sla(),
        def.triggers(),
        tasks);
  }

  // --- helpers ---

  static void checkName(String name, String path) {
    if (name == null || !DefinitionReader.NAME.matcher(name).matches()) {
      throw DataplaneException.invalid(
          path, "'" + name + "' must match " + DefinitionReader.NAME.pattern());
    }
  }

  public static DataplaneException invalid(List<ValidationError> errors) {
    List<ErrorResponse.Detail> details = new ArrayList<>();
    for (ValidationError e : errors) {
      details.add(new ErrorResponse.Detail(e.path(), e.code(), e.message()));
    }
    return DataplaneException.invalid(details);
  }
}
