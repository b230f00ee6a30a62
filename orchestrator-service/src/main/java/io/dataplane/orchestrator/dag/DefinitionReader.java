package io.dataplane.orchestrator.dag;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dataplane.common.json.Json;
import io.dataplane.common.triggers.TriggerRules;
import io.dataplane.common.triggers.TriggerSpec;
import io.dataplane.orchestrator.dag.PipelineDefinition.Concurrency;
import io.dataplane.orchestrator.dag.PipelineDefinition.ConcurrencyPolicy;
import io.dataplane.orchestrator.dag.PipelineDefinition.Param;
import io.dataplane.orchestrator.dag.PipelineDefinition.Retries;
import io.dataplane.orchestrator.dag.PipelineDefinition.Sla;
import io.dataplane.orchestrator.dag.PipelineDefinition.Task;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a pipeline definition from YAML or JSON and checks it, collecting every problem with its
 * path instead of stopping at the first. Plain Java: no framework.
 */
public final class DefinitionReader {

  /** Names of pipelines, tasks, params and worker groups. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");

  /** Secret names (as environment variables see them). */
  public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private static final Set<String> PIPELINE_FIELDS =
      Set.of(
          "name",
          "description",
          "workerGroup",
          "params",
          "concurrency",
          "maxDuration",
          "sla",
          "triggers",
          "tasks");
  private static final Set<String> TRIGGER_FIELDS =
      Set.of(
          "name",
          "kind",
          "description",
          "upstreamPipeline",
          "onState",
          "topic",
          "filterField",
          "filterValue",
          "auth",
          "secretName",
          "params",
          "enabled");

  /** Most triggers one definition may declare. */
  public static final int MAX_TRIGGERS = 50;

  private static final Set<String> SLA_FIELDS = Set.of("maxDuration", "deadline");
  private static final Set<String> DEADLINE_FIELDS = Set.of("time", "timezone");
  private static final Pattern TIME_OF_DAY = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
  private static final Set<String> PARAM_FIELDS =
      Set.of("type", "required", "default", "description");
  private static final Set<String> CONCURRENCY_FIELDS = Set.of("max", "policy");
  private static final Set<String> TASK_FIELDS =
      Set.of(
          "key",
          "description",
          "runtime",
          "script",
          "entrypoint",
          "dependsOn",
          "workerGroup",
          "retries",
          "timeout",
          "secrets",
          "env",
          "network");
  private static final Set<String> RETRY_FIELDS =
      Set.of("max", "backoff", "initialDelay", "maxDelay", "jitter");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /**
   * The outcome: every problem found, the normalized definition when there are none, and the worker
   * groups its tasks run in (also when there are problems: the gateway checks the caller's right on
   * each before it shows any problem, so that "does not exist" answers only those who may know).
   */
  public record Result(
      PipelineDefinition definition, List<ValidationError> errors, List<String> workerGroups) {
    public Result(PipelineDefinition definition, List<ValidationError> errors) {
      this(definition, errors, List.of());
    }

    public boolean valid() {
      return errors.isEmpty();
    }
  }

  private final List<ValidationError> errors = new ArrayList<>();
  private final Set<String> namedGroups = new java.util.TreeSet<>();

  private DefinitionReader() {}

  /**
   * Reads and checks a definition.
   *
   * @param yaml true for YAML (a superset of JSON), false for strict JSON
   * @param expectedName the pipeline's name in the URL (the definition's own name must match it
   *     when given), or null
   * @param workerGroups the worker groups of the environment, or null to skip that check
   */
  public static Result read(
      String text, boolean yaml, String expectedName, Set<String> workerGroups) {
    DefinitionReader r = new DefinitionReader();
    JsonNode root;
    try {
      root = (yaml ? YAML : JSON).readTree(text == null ? "" : text);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage();
      String where =
          e.getLocation() == null
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      return new Result(
          null, List.of(new ValidationError("$", ValidationError.SYNTAX, msg + where)));
    }
    PipelineDefinition def = r.pipeline(root, expectedName, workerGroups);
    List<ValidationError> errs = List.copyOf(r.errors);
    return new Result(errs.isEmpty() ? def : null, errs, List.copyOf(r.namedGroups));
  }

  /** Checks an already normalized definition (a stored release) against worker groups. */
  public static Result check(PipelineDefinition def, Set<String> workerGroups) {
    JsonNode node = Json.mapper().valueToTree(toSource(def));
    DefinitionReader r = new DefinitionReader();
    PipelineDefinition d = r.pipeline(node, def.name(), workerGroups);
    List<ValidationError> errs = List.copyOf(r.errors);
    return new Result(errs.isEmpty() ? d : null, errs, List.copyOf(r.namedGroups));
  }

  /** The source form of a normalized definition (what an author would write). */
  public static Map<String, Object> toSource(PipelineDefinition def) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", def.name());
    if (def.description() != null) {
      m.put("description", def.description());
    }
    m.put("workerGroup", def.workerGroup());
    if (!def.params().isEmpty()) {
      Map<String, Object> ps = new LinkedHashMap<>();
      def.params()
          .forEach(
              (k, p) -> {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("type", p.type());
                pm.put("required", p.required());
                if (p.defaultValue() != null) {
                  pm.put("default", p.defaultValue());
                }
                if (p.description() != null) {
                  pm.put("description", p.description());
                }
                ps.put(k, pm);
              });
      m.put("params", ps);
    }
    if (def.concurrency() != null) {
      m.put(
          "concurrency",
          Map.of("max", def.concurrency().max(), "policy", def.concurrency().policy().name()));
    }
    if (def.maxDuration() != null) {
      m.put("maxDuration", def.maxDuration());
    }
    if (def.sla() != null) {
      Map<String, Object> sm = new LinkedHashMap<>();
      if (def.sla().maxDuration() != null) {
        sm.put("maxDuration", def.sla().maxDuration());
      }
      if (def.sla().deadlineTime() != null) {
        sm.put(
            "deadline", Map.of("time", def.sla().deadlineTime(), "timezone", def.sla().timezone()));
      }
      m.put("sla", sm);
    }
    if (!def.triggers().isEmpty()) {
      List<Object> ts = new ArrayList<>();
      for (TriggerSpec t : def.triggers()) {
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("name", t.name());
        tm.put("kind", t.kind());
        putIfSet(tm, "description", t.description());
        putIfSet(tm, "upstreamPipeline", t.upstreamPipeline());
        putIfSet(tm, "onState", t.onState());
        putIfSet(tm, "topic", t.topic());
        putIfSet(tm, "filterField", t.filterField());
        putIfSet(tm, "filterValue", t.filterValue());
        putIfSet(tm, "auth", t.auth());
        putIfSet(tm, "secretName", t.secretName());
        if (!t.params().isEmpty()) {
          tm.put("params", t.params());
        }
        if (Boolean.FALSE.equals(t.enabled())) {
          tm.put("enabled", false);
        }
        ts.add(tm);
      }
      m.put("triggers", ts);
    }
    List<Object> tasks = new ArrayList<>();
    for (Task t : def.tasks()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("key", t.key());
      if (t.description() != null) {
        tm.put("description", t.description());
      }
      tm.put("runtime", t.runtime());
      if (t.script() != null) {
        tm.put("script", t.script());
      }
      if (t.entrypoint() != null) {
        tm.put("entrypoint", t.entrypoint());
      }
      tm.put("dependsOn", t.dependsOn());
      tm.put("workerGroup", t.workerGroup());
      Retries rt = t.retries();
      Map<String, Object> rm = new LinkedHashMap<>();
      rm.put("max", rt.max());
      rm.put("backoff", rt.backoff());
      rm.put("initialDelay", rt.initialDelay());
      rm.put("maxDelay", rt.maxDelay());
      rm.put("jitter", rt.jitter());
      tm.put("retries", rm);
      if (t.timeout() != null) {
        tm.put("timeout", t.timeout());
      }
      tm.put("secrets", t.secrets());
      tm.put("env", t.env());
      tm.put("network", t.network());
      tasks.add(tm);
    }
    m.put("tasks", tasks);
    return m;
  }

  // --- binding and checks ---------------------------------------------------------------------

  private void err(String path, String code, String message) {
    errors.add(new ValidationError(path, code, message));
  }

  private PipelineDefinition pipeline(JsonNode root, String expectedName, Set<String> groups) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      err("$", ValidationError.REQUIRED, "the definition is empty");
      return null;
    }
    if (!root.isObject()) {
      err("$", ValidationError.INVALID_TYPE, "the definition must be an object");
      return null;
    }
    unknownFields(root, PIPELINE_FIELDS, "");
    String name = text(root, "name", "name");
    if (name == null) {
      name = expectedName;
      if (name == null) {
        err("name", ValidationError.REQUIRED, "the pipeline needs a name");
      }
    } else if (expectedName != null && !expectedName.equals(name)) {
      err(
          "name",
          ValidationError.INVALID_VALUE,
          "name '" + name + "' does not match the pipeline '" + expectedName + "'");
    }
    checkName(name, "name", "pipeline name");
    String description = text(root, "description", "description");
    String defaultGroup = text(root, "workerGroup", "workerGroup");
    if (defaultGroup == null) {
      defaultGroup = PipelineDefinition.DEFAULT_WORKER_GROUP;
    } else {
      checkName(defaultGroup, "workerGroup", "worker group");
    }
    Map<String, Param> params = params(root.get("params"));
    Concurrency concurrency = concurrency(root.get("concurrency"));
    String maxDuration = duration(root, "maxDuration", "maxDuration");
    Sla sla = sla(root.get("sla"));
    List<TriggerSpec> triggers = triggers(root.get("triggers"), name, params);

    JsonNode tasksNode = root.get("tasks");
    List<Task> tasks = new ArrayList<>();
    Map<String, Integer> indexByKey = new HashMap<>();
    if (tasksNode == null || tasksNode.isNull()) {
      err("tasks", ValidationError.REQUIRED, "a pipeline needs at least one task");
    } else if (!tasksNode.isArray()) {
      err("tasks", ValidationError.INVALID_TYPE, "tasks must be a list");
    } else if (tasksNode.isEmpty()) {
      err("tasks", ValidationError.REQUIRED, "a pipeline needs at least one task");
    } else {
      for (int i = 0; i < tasksNode.size(); i++) {
        Task t = task(tasksNode.get(i), "tasks[" + i + "]", defaultGroup, groups);
        if (t == null) {
          continue;
        }
        if (t.key() != null) {
          Integer first = indexByKey.putIfAbsent(t.key(), i);
          if (first != null) {
            err(
                "tasks[" + i + "].key",
                ValidationError.DUPLICATE_KEY,
                "task key '" + t.key() + "' is already used by tasks[" + first + "]");
          }
        }
        tasks.add(t);
      }
      // dependencies, once every key is known
      for (int i = 0; i < tasksNode.size(); i++) {
        JsonNode deps = tasksNode.get(i).get("dependsOn");
        if (deps == null || !deps.isArray()) {
          continue;
        }
        for (int j = 0; j < deps.size(); j++) {
          String d = deps.get(j).isTextual() ? deps.get(j).asText() : null;
          if (d != null && !indexByKey.containsKey(d)) {
            err(
                "tasks[" + i + "].dependsOn[" + j + "]",
                ValidationError.UNKNOWN_DEPENDENCY,
                "task depends on '" + d + "', which is not a task of this pipeline");
          }
        }
      }
      Map<String, List<String>> graph = new LinkedHashMap<>();
      for (Task t : tasks) {
        if (t.key() != null && !graph.containsKey(t.key())) {
          graph.put(t.key(), t.dependsOn().stream().filter(indexByKey::containsKey).toList());
        }
      }
      for (List<String> cycle : Dag.cycles(graph)) {
        err(
            "tasks[" + indexByKey.get(cycle.get(0)) + "].dependsOn",
            ValidationError.CYCLE,
            "dependency cycle: " + String.join(" -> ", cycle));
      }
    }
    if (!errors.isEmpty()) {
      return null;
    }
    List<Task> sorted = new ArrayList<>(tasks);
    sorted.sort(Comparator.comparing(Task::key));
    return new PipelineDefinition(
        name,
        description,
        defaultGroup,
        params,
        concurrency,
        maxDuration,
        sla,
        triggers,
        List.copyOf(sorted));
  }

  private Map<String, Param> params(JsonNode node) {
    Map<String, Param> out = new TreeMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      err("params", ValidationError.INVALID_TYPE, "params must be a map of name to definition");
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = "params." + e.getKey();
      checkName(e.getKey(), path, "param name");
      JsonNode p = e.getValue();
      if (p == null || !p.isObject()) {
        err(path, ValidationError.INVALID_TYPE, "a param is an object with a type");
        continue;
      }
      unknownFields(p, PARAM_FIELDS, path + ".");
      String type = text(p, "type", path + ".type");
      if (type == null) {
        err(path + ".type", ValidationError.REQUIRED, "a param needs a type");
        type = "string";
      } else if (!PipelineDefinition.PARAM_TYPES.contains(type)) {
        err(
            path + ".type",
            ValidationError.INVALID_VALUE,
            "type must be one of " + PipelineDefinition.PARAM_TYPES);
      }
      boolean required = bool(p, "required", path + ".required", false);
      Object def = null;
      if (p.has("default") && !p.get("default").isNull()) {
        def = Json.mapper().convertValue(p.get("default"), Object.class);
        String problem = ParamChecker.typeProblem(type, def);
        if (problem != null) {
          err(path + ".default", ValidationError.INVALID_TYPE, problem);
        }
      }
      out.put(
          e.getKey(),
          new Param(type, required, def, text(p, "description", path + ".description")));
    }
    return out;
  }

  private Concurrency concurrency(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      err("concurrency", ValidationError.INVALID_TYPE, "concurrency must be an object");
      return null;
    }
    unknownFields(node, CONCURRENCY_FIELDS, "concurrency.");
    int max = integer(node, "max", "concurrency.max", 1);
    if (max < 1) {
      err("concurrency.max", ValidationError.INVALID_VALUE, "concurrency.max must be at least 1");
    }
    String policy = text(node, "policy", "concurrency.policy");
    ConcurrencyPolicy p = ConcurrencyPolicy.QUEUE;
    if (policy != null) {
      try {
        p = ConcurrencyPolicy.valueOf(policy.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        err(
            "concurrency.policy",
            ValidationError.INVALID_VALUE,
            "policy must be QUEUE, CANCEL_NEWEST or FAIL");
      }
    }
    return new Concurrency(max, p);
  }

  private static void putIfSet(Map<String, Object> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  /**
   * The triggers a definition declares (docs/triggers.md), checked by the same rules as the API's
   * ({@link TriggerRules}) and, in normal form, sorted by name. A declared webhook signs with an
   * environment secret (HMAC): a token would have to be shown once to someone, and no one sees a
   * release's trigger being created. A trigger's params must be params of this pipeline.
   */
  private List<TriggerSpec> triggers(JsonNode node, String pipeline, Map<String, Param> params) {
    List<TriggerSpec> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      err("triggers", ValidationError.INVALID_TYPE, "triggers must be a list");
      return out;
    }
    if (node.size() > MAX_TRIGGERS) {
      err(
          "triggers",
          ValidationError.INVALID_VALUE,
          "a definition declares at most " + MAX_TRIGGERS + " triggers, not " + node.size());
      return out;
    }
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < node.size(); i++) {
      String path = "triggers[" + i + "]";
      JsonNode t = node.get(i);
      if (!t.isObject()) {
        err(path, ValidationError.INVALID_TYPE, "a trigger must be an object");
        continue;
      }
      unknownFields(t, TRIGGER_FIELDS, path + ".");
      int before = errors.size();
      Map<String, Object> tparams = Map.of();
      JsonNode pn = t.get("params");
      if (pn != null && !pn.isNull()) {
        if (!pn.isObject()) {
          err(path + ".params", ValidationError.INVALID_TYPE, "params must be a map");
        } else {
          tparams = new TreeMap<>(Json.mapper().convertValue(pn, Map.class));
          for (String p : tparams.keySet()) {
            if (!params.containsKey(p)) {
              err(
                  path + ".params." + p,
                  ValidationError.UNKNOWN_PARAM,
                  "'" + p + "' is not a param of this pipeline (declare it under params)");
            }
          }
        }
      }
      TriggerSpec spec =
          new TriggerSpec(
              text(t, "name", path + ".name"),
              null,
              text(t, "kind", path + ".kind"),
              text(t, "description", path + ".description"),
              text(t, "upstreamPipeline", path + ".upstreamPipeline"),
              text(t, "onState", path + ".onState"),
              text(t, "topic", path + ".topic"),
              text(t, "filterField", path + ".filterField"),
              text(t, "filterValue", path + ".filterValue"),
              text(t, "auth", path + ".auth"),
              text(t, "secretName", path + ".secretName"),
              tparams,
              bool(t, "enabled", path + ".enabled", true));
      if (errors.size() > before) {
        continue;
      }
      List<io.dataplane.common.error.ErrorResponse.Detail> details = new ArrayList<>();
      TriggerRules.Normal n = TriggerRules.check(spec, null, path + ".", details);
      details.forEach(d -> err(d.path(), ValidationError.INVALID_VALUE, d.message()));
      if (!details.isEmpty()) {
        continue;
      }
      if ("WEBHOOK".equals(n.kind()) && !"HMAC".equals(n.auth())) {
        err(
            path + ".auth",
            ValidationError.INVALID_VALUE,
            "a declared webhook signs with a secret: write auth: HMAC and secretName (token"
                + " webhooks are created through the API, which shows the token once)");
        continue;
      }
      if ("COMPLETION".equals(n.kind()) && n.upstreamPipeline().equals(pipeline)) {
        err(
            path + ".upstreamPipeline",
            ValidationError.INVALID_VALUE,
            "a pipeline cannot start itself when it completes (a loop would start runs forever)");
        continue;
      }
      Integer first = byName.putIfAbsent(spec.name(), i);
      if (first != null) {
        err(
            path + ".name",
            ValidationError.DUPLICATE_KEY,
            "trigger name '" + spec.name() + "' is already used by triggers[" + first + "]");
        continue;
      }
      out.add(
          new TriggerSpec(
              spec.name(),
              null,
              n.kind(),
              spec.description(),
              n.upstreamPipeline(),
              n.onState(),
              n.topic(),
              "KAFKA".equals(n.kind()) ? spec.filterField() : null,
              "KAFKA".equals(n.kind()) ? spec.filterValue() : null,
              n.auth(),
              "HMAC".equals(n.auth()) ? spec.secretName() : null,
              tparams,
              spec.enabled()));
    }
    out.sort(Comparator.comparing(TriggerSpec::name));
    return List.copyOf(out);
  }

  private Sla sla(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      err("sla", ValidationError.INVALID_TYPE, "sla must be an object");
      return null;
    }
    unknownFields(node, SLA_FIELDS, "sla.");
    String maxDuration = duration(node, "maxDuration", "sla.maxDuration");
    String time = null;
    String zone = null;
    JsonNode deadline = node.get("deadline");
    if (deadline != null && !deadline.isNull()) {
      if (!deadline.isObject()) {
        err("sla.deadline", ValidationError.INVALID_TYPE, "sla.deadline must be an object");
      } else {
        unknownFields(deadline, DEADLINE_FIELDS, "sla.deadline.");
        if (deadline.path("time").isNumber()) {
          // e.g. time: 600, or a YAML 1.1 tool's base-60 number for an unquoted 23:59
          err(
              "sla.deadline.time",
              ValidationError.INVALID_TYPE,
              "write the time as text in quotes, e.g. time: \"06:00\"");
        } else {
          time = text(deadline, "time", "sla.deadline.time");
        }
        if (time == null && !deadline.path("time").isNumber()) {
          err("sla.deadline.time", ValidationError.REQUIRED, "a deadline needs a time (HH:mm)");
        } else if (time != null && !TIME_OF_DAY.matcher(time).matches()) {
          err(
              "sla.deadline.time",
              ValidationError.INVALID_VALUE,
              "'" + time + "' is not a time of day; write HH:mm, e.g. 06:00");
          time = null;
        }
        zone = text(deadline, "timezone", "sla.deadline.timezone");
        if (zone == null) {
          zone = "UTC";
        } else {
          try {
            ZoneId.of(zone);
          } catch (DateTimeException e) {
            err(
                "sla.deadline.timezone",
                ValidationError.INVALID_VALUE,
                "'" + zone + "' is not a time zone; write an IANA id such as Europe/Paris or UTC");
          }
        }
      }
    }
    if (maxDuration == null && time == null) {
      if (node.get("maxDuration") == null && deadline == null) {
        err("sla", ValidationError.REQUIRED, "an sla needs maxDuration, deadline or both");
      }
      return null;
    }
    return new Sla(maxDuration, time, time == null ? null : zone);
  }

  private Task task(JsonNode node, String path, String defaultGroup, Set<String> groups) {
    if (node == null || !node.isObject()) {
      err(path, ValidationError.INVALID_TYPE, "a task must be an object");
      return null;
    }
    unknownFields(node, TASK_FIELDS, path + ".");
    String key = text(node, "key", path + ".key");
    if (key == null) {
      err(path + ".key", ValidationError.REQUIRED, "a task needs a key");
    } else {
      checkName(key, path + ".key", "task key");
    }
    String runtime = text(node, "runtime", path + ".runtime");
    if (runtime == null) {
      err(path + ".runtime", ValidationError.REQUIRED, "a task needs a runtime (python or bash)");
    } else if (!PipelineDefinition.RUNTIMES.contains(runtime)) {
      err(
          path + ".runtime",
          ValidationError.INVALID_RUNTIME,
          "runtime '" + runtime + "' is not one of " + PipelineDefinition.RUNTIMES);
    }
    String script = text(node, "script", path + ".script");
    String entrypoint = text(node, "entrypoint", path + ".entrypoint");
    if (script == null && entrypoint == null) {
      err(path, ValidationError.REQUIRED, "a task needs a script or an entrypoint");
    } else if (script != null && entrypoint != null) {
      err(
          path + ".entrypoint",
          ValidationError.INVALID_VALUE,
          "give a script or an entrypoint, not both");
    }
    if (entrypoint != null
        && (entrypoint.startsWith("/") || entrypoint.contains("..") || entrypoint.isBlank())) {
      err(
          path + ".entrypoint",
          ValidationError.INVALID_VALUE,
          "entrypoint must be a relative path inside the bundle");
    }
    List<String> dependsOn = stringList(node, "dependsOn", path + ".dependsOn");
    List<String> deps = new ArrayList<>(new java.util.TreeSet<>(dependsOn));
    if (deps.size() != dependsOn.size()) {
      err(path + ".dependsOn", ValidationError.DUPLICATE_KEY, "a dependency is listed twice");
    }
    if (key != null && deps.contains(key)) {
      // reported as a cycle too; this says it plainly
      deps.remove(key);
      err(path + ".dependsOn", ValidationError.CYCLE, "dependency cycle: " + key + " -> " + key);
    }
    String group = text(node, "workerGroup", path + ".workerGroup");
    String groupPath = path + ".workerGroup";
    if (group == null) {
      group = defaultGroup;
      groupPath = "workerGroup";
    } else {
      checkName(group, groupPath, "worker group");
    }
    if (group != null) {
      namedGroups.add(group);
    }
    if (groups != null && group != null && !groups.contains(group)) {
      err(
          groupPath.equals("workerGroup") ? path + ".workerGroup" : groupPath,
          ValidationError.UNKNOWN_WORKER_GROUP,
          "worker group '" + group + "' does not exist in this environment");
    }
    Retries retries = retries(node.get("retries"), path + ".retries");
    String timeout = duration(node, "timeout", path + ".timeout");
    List<String> secrets = stringList(node, "secrets", path + ".secrets");
    for (int i = 0; i < secrets.size(); i++) {
      if (!SECRET_NAME.matcher(secrets.get(i)).matches()) {
        err(
            path + ".secrets[" + i + "]",
            ValidationError.INVALID_NAME,
            "secret name '" + secrets.get(i) + "' must match " + SECRET_NAME.pattern());
      }
    }
    Map<String, String> env = new TreeMap<>();
    JsonNode envNode = node.get("env");
    if (envNode != null && !envNode.isNull()) {
      if (!envNode.isObject()) {
        err(path + ".env", ValidationError.INVALID_TYPE, "env must be a map of name to value");
      } else {
        envNode
            .fields()
            .forEachRemaining(
                e -> {
                  if (!ENV_NAME.matcher(e.getKey()).matches()) {
                    err(
                        path + ".env." + e.getKey(),
                        ValidationError.INVALID_NAME,
                        "not a valid environment variable name");
                  }
                  if (e.getValue().isContainerNode()) {
                    err(
                        path + ".env." + e.getKey(),
                        ValidationError.INVALID_TYPE,
                        "env values are strings");
                  } else {
                    env.put(e.getKey(), e.getValue().asText());
                  }
                });
      }
    }
    boolean network = bool(node, "network", path + ".network", false);
    return new Task(
        key,
        text(node, "description", path + ".description"),
        runtime,
        script,
        entrypoint,
        List.copyOf(deps),
        group,
        retries,
        timeout,
        List.copyOf(new java.util.TreeSet<>(secrets)),
        env,
        network);
  }

  private Retries retries(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return Retries.NONE;
    }
    if (node.isInt()) {
      int max = node.asInt();
      if (max < 0 || max > 100) {
        err(path, ValidationError.INVALID_VALUE, "retries must be between 0 and 100");
      }
      return new Retries(max, "fixed", Retries.NONE.initialDelay(), Retries.NONE.maxDelay(), 0);
    }
    if (!node.isObject()) {
      err(path, ValidationError.INVALID_TYPE, "retries must be a number or an object");
      return Retries.NONE;
    }
    unknownFields(node, RETRY_FIELDS, path + ".");
    int max = integer(node, "max", path + ".max", 0);
    if (max < 0 || max > 100) {
      err(path + ".max", ValidationError.INVALID_VALUE, "retries.max must be between 0 and 100");
    }
    String backoff = text(node, "backoff", path + ".backoff");
    if (backoff == null) {
      backoff = "fixed";
    } else if (!backoff.equals("fixed") && !backoff.equals("exponential")) {
      err(path + ".backoff", ValidationError.INVALID_VALUE, "backoff must be fixed or exponential");
    }
    String initial = duration(node, "initialDelay", path + ".initialDelay");
    String maxDelay = duration(node, "maxDelay", path + ".maxDelay");
    double jitter = 0;
    JsonNode j = node.get("jitter");
    if (j != null && !j.isNull()) {
      if (!j.isNumber() || j.asDouble() < 0 || j.asDouble() > 1) {
        err(
            path + ".jitter",
            ValidationError.INVALID_VALUE,
            "jitter is a fraction between 0 and 1");
      } else {
        jitter = j.asDouble();
      }
    }
    return new Retries(
        max,
        backoff,
        initial == null ? Retries.NONE.initialDelay() : initial,
        maxDelay == null ? Retries.NONE.maxDelay() : maxDelay,
        jitter);
  }

  // --- small readers ---------------------------------------------------------------------------

  private void unknownFields(JsonNode node, Set<String> known, String prefix) {
    node.fieldNames()
        .forEachRemaining(
            f -> {
              if (!known.contains(f)) {
                err(prefix + f, ValidationError.UNKNOWN_FIELD, "unknown field '" + f + "'");
              }
            });
  }

  private void checkName(String name, String path, String what) {
    if (name != null && !NAME.matcher(name).matches()) {
      err(
          path,
          ValidationError.INVALID_NAME,
          what + " '" + name + "' must match " + NAME.pattern());
    }
  }

  private String text(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      err(path, ValidationError.INVALID_TYPE, field + " must be a string");
      return null;
    }
    return v.asText();
  }

  private boolean bool(JsonNode node, String field, String path, boolean dflt) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      err(path, ValidationError.INVALID_TYPE, field + " must be true or false");
      return dflt;
    }
    return v.asBoolean();
  }

  private int integer(JsonNode node, String field, String path, int dflt) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      err(path, ValidationError.INVALID_TYPE, field + " must be a whole number");
      return dflt;
    }
    return v.asInt();
  }

  private List<String> stringList(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      err(path, ValidationError.INVALID_TYPE, field + " must be a list of strings");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      if (v.get(i).getNodeType() != JsonNodeType.STRING) {
        err(path + "[" + i + "]", ValidationError.INVALID_TYPE, "must be a string");
      } else {
        out.add(v.get(i).asText());
      }
    }
    return out;
  }

  private String duration(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    Optional<Duration> d = v.isTextual() ? Durations.parse(v.asText()) : Optional.empty();
    if (d.isEmpty()) {
      err(
          path,
          ValidationError.INVALID_DURATION,
          "'"
              + v.asText()
              + "' is not a duration; write e.g. 30s, 5m, 1h30m, 500ms or ISO-8601 such as PT30S");
      return null;
    }
    return d.get().toString();
  }
}
