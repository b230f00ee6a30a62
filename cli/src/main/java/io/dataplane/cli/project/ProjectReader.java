package io.dataplane.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.cli.plan.EnvState;
import io.dataplane.cli.plan.Specs;
import io.dataplane.cli.plan.StateObject;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a pipelines-as-code folder offline and checks what can be checked without the server:
 *
 * <pre>
 * environment.yaml                  environment (optional: must match --env), workerGroups
 * pipelines/NAME/pipeline.yaml      the definition (YAML or JSON)
 * pipelines/NAME/files/...          the pipeline's code files
 * schedules/*.yaml, triggers/*.yaml one schedule or trigger per file (name: the file's name)
 * </pre>
 *
 * Files are read only inside the folder: a symbolic link that leads out of it is refused, and so is
 * a file larger than the limit, so that an apply never uploads what nobody reviewed.
 */
public final class ProjectReader {

  /** Names of pipelines, schedules, triggers and worker groups (the server's rule). */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");

  /** A code file's path: relative, no {@code ..}, no backslash or control character. */
  static final Pattern FILE_PATH =
      Pattern.compile("(?!/)(?!.*//)(?!(.*/)?\\.\\.?(/|$))[^\\\\\\x00-\\x1f]{1,512}(?<!/)");

  /** A release's id. */
  static final Pattern RELEASE_ID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** The largest definition, schedule or trigger file read. */
  static final long MAX_DOCUMENT_BYTES = 1024 * 1024;

  private static final Set<String> ENVIRONMENT_FIELDS =
      Set.of("environment", "workerGroups", "secrets", "notificationChannels", "notificationRules");

  /** A secret's name (the secrets service's rule). */
  static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final long maxFileBytes;
  private final List<Problem> problems = new ArrayList<>();
  private final EnvState state = new EnvState();
  private final Map<String, LocalProject.PipelineSource> pipelines = new LinkedHashMap<>();
  private final Map<String, String> ruleFiles = new LinkedHashMap<>();
  private final Map<String, LocalProject.Where> where = new LinkedHashMap<>();
  private YamlDocument envDoc;
  private Path root;
  private Path realRoot;
  private String environment;

  /**
   * @param maxFileBytes the largest code file accepted (the filestore's limit: 10 MiB)
   */
  public ProjectReader(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
  }

  public static LocalProject read(Path dir) throws IOException {
    return new ProjectReader(10L * 1024 * 1024).readFolder(dir);
  }

  public LocalProject readFolder(Path dir) throws IOException {
    root = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new IOException(dir + " is not a folder");
    }
    realRoot = root.toRealPath();
    readEnvironment();
    readPipelines();
    readRules("schedules", StateObject.SCHEDULE, Specs.SCHEDULE_FIELDS);
    readRules("triggers", StateObject.TRIGGER, Specs.TRIGGER_FIELDS);
    checkReferences();
    return new LocalProject(
        root, state, List.copyOf(problems), environment, pipelines, Map.copyOf(where));
  }

  private void readEnvironment() throws IOException {
    Path f = root.resolve("environment.yaml");
    if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    YamlDocument doc = document(f);
    if (doc == null) {
      return;
    }
    String file = rel(f);
    JsonNode t = doc.tree();
    if (!t.isObject()) {
      problem(file, 1, "", "INVALID_TYPE", "must be a map");
      return;
    }
    unknownFields(file, doc, "", t, ENVIRONMENT_FIELDS);
    if (t.hasNonNull("environment")) {
      environment = t.get("environment").asText();
    }
    JsonNode groups = t.path("workerGroups");
    if (!groups.isMissingNode() && !groups.isArray()) {
      problem(file, doc.lineOf("workerGroups"), "workerGroups", "INVALID_TYPE", "must be a list");
      return;
    }
    for (int i = 0; i < groups.size(); i++) {
      JsonNode g = groups.get(i);
      String path = "workerGroups[" + i + "]";
      String name = g.isTextual() ? g.asText() : g.path("name").asText("");
      if (!NAME.matcher(name).matches()) {
        problem(file, doc.lineOf(path), path, "INVALID_NAME", "'" + name + "' is not a valid name");
        continue;
      }
      if (g.isObject()) {
        unknownFields(file, doc, path, g, Set.of("name", "description"));
      }
      if (state.get(StateObject.WORKER_GROUP, name) != null) {
        problem(
            file,
            doc.lineOf(path),
            path,
            "DUPLICATE_NAME",
            "worker group '" + name + "' is declared twice");
        continue;
      }
      String description = g.path("description").asText(null);
      ObjectNode payload = F.objectNode();
      if (description != null) {
        payload.put("description", description);
      }
      state.add(
          new StateObject(
              StateObject.WORKER_GROUP, name, Specs.workerGroup(name, description), null, payload));
    }
    envDoc = doc;
    readSecrets(file, doc, t.path("secrets"));
    readChannels(file, doc, t.path("notificationChannels"));
    readNotificationRules(file, doc, t.path("notificationRules"));
  }

  /** {@code secrets: [{name, pipelines, workerGroups}]}: who may receive a secret; no values. */
  private void readSecrets(String file, YamlDocument doc, JsonNode list) {
    if (!list(file, doc, list, "secrets")) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode s = list.get(i);
      String path = "secrets[" + i + "]";
      if (!s.isObject()) {
        problem(
            file,
            doc.lineOf(path),
            path,
            "INVALID_TYPE",
            "a secret's grants: {name, pipelines, workerGroups}");
        continue;
      }
      if (s.has("value")) {
        problem(
            file,
            doc.lineOf(path + ".value"),
            path + ".value",
            "SECRET_VALUE",
            "a secret's value never goes into the folder: set it with setSecret (console or"
                + " GraphQL); the folder names who may receive it");
      }
      unknownFields(
          file,
          doc,
          path,
          s,
          Set.of("name", "pipelines", "workerGroups", "value"),
          Specs.SECRET_FIELDS);
      String name = s.path("name").asText("");
      if (!SECRET_NAME.matcher(name).matches()) {
        problem(
            file,
            doc.lineOf(path + ".name"),
            path + ".name",
            "INVALID_NAME",
            "'"
                + name
                + "' is not a secret name (letters, digits and '_', not starting with a digit)");
        continue;
      }
      if (state.get(StateObject.SECRET_GRANTS, name) != null) {
        problem(
            file,
            doc.lineOf(path + ".name"),
            path + ".name",
            "DUPLICATE_NAME",
            "secret '" + name + "' is listed twice");
        continue;
      }
      boolean ok = true;
      for (String field : List.of("pipelines", "workerGroups")) {
        JsonNode v = s.path(field);
        if (!v.isMissingNode() && !v.isNull() && !v.isArray()) {
          problem(
              file,
              doc.lineOf(path + "." + field),
              path + "." + field,
              "INVALID_TYPE",
              "must be a list of names");
          ok = false;
        }
      }
      if (s.has("value")) {
        ok = false; // reported as an unknown field: values never go into the folder
      }
      if (!ok) {
        continue;
      }
      where.put(
          StateObject.SECRET_GRANTS + "/" + name,
          new LocalProject.Where(file, doc.lineOf(path + ".name")));
      JsonNode spec = Specs.grants(s.path("pipelines"), s.path("workerGroups"));
      // no grant at all is the same as not listing the secret
      if (!spec.isEmpty()) {
        state.add(new StateObject(StateObject.SECRET_GRANTS, name, spec, null, null));
      }
      for (int j = 0; j < s.path("pipelines").size(); j++) {
        where.put(
            "secretGrants/" + name + "#pipelines/" + s.path("pipelines").get(j).asText(),
            new LocalProject.Where(file, doc.lineOf(path + ".pipelines[" + j + "]")));
      }
      for (int j = 0; j < s.path("workerGroups").size(); j++) {
        where.put(
            "secretGrants/" + name + "#workerGroups/" + s.path("workerGroups").get(j).asText(),
            new LocalProject.Where(file, doc.lineOf(path + ".workerGroups[" + j + "]")));
      }
    }
  }

  /**
   * The name of a list entry of environment.yaml, or null when it is not a map, its name is not
   * valid or it is declared twice (each recorded as a problem at its line); unknown fields are
   * recorded too.
   */
  private String entryName(
      String file,
      YamlDocument doc,
      JsonNode e,
      String path,
      Set<String> fields,
      String kind,
      String what) {
    if (!e.isObject()) {
      problem(file, doc.lineOf(path), path, "INVALID_TYPE", "a " + what + " is a map");
      return null;
    }
    unknownFields(file, doc, path, e, fields);
    String name = e.path("name").asText("");
    if (!NAME.matcher(name).matches()) {
      problem(
          file,
          doc.lineOf(path + ".name"),
          path + ".name",
          "INVALID_NAME",
          "'" + name + "' is not a valid name");
      return null;
    }
    if (state.get(kind, name) != null) {
      problem(
          file,
          doc.lineOf(path + ".name"),
          path + ".name",
          "DUPLICATE_NAME",
          what + " '" + name + "' is declared twice");
      return null;
    }
    return name;
  }

  /** {@code notificationChannels: [{name, kind, url, secretName, smtp…, from, to}]}. */
  private void readChannels(String file, YamlDocument doc, JsonNode list) {
    if (!list(file, doc, list, "notificationChannels")) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      String path = "notificationChannels[" + i + "]";
      String name =
          entryName(
              file,
              doc,
              c,
              path,
              Specs.CHANNEL_FIELDS,
              StateObject.CHANNEL,
              "notification channel");
      if (name == null) {
        continue;
      }
      String kind = c.path("kind").asText("");
      if (!Set.of("WEBHOOK", "SLACK", "EMAIL").contains(kind)) {
        problem(
            file,
            doc.lineOf(path + ".kind"),
            path + ".kind",
            "INVALID_VALUE",
            "kind is WEBHOOK, SLACK or EMAIL");
        continue;
      }
      String secret = c.path("secretName").asText(null);
      if (secret != null && !secret.startsWith("NOTIFY_")) {
        problem(
            file,
            doc.lineOf(path + ".secretName"),
            path + ".secretName",
            "INVALID_VALUE",
            "a channel's secret is a secret of the environment named NOTIFY_<name> (its name only,"
                + " never its value)");
        continue;
      }
      if (secret != null) {
        where.put(
            StateObject.CHANNEL + "/" + name + "#secretName",
            new LocalProject.Where(file, doc.lineOf(path + ".secretName")));
      }
      state.add(new StateObject(StateObject.CHANNEL, name, Specs.channel(c), null, null));
    }
  }

  /**
   * {@code notificationRules: [{name, channel, pipeline, events, quietPeriodSeconds, enabled}]}.
   */
  private void readNotificationRules(String file, YamlDocument doc, JsonNode list) {
    if (!list(file, doc, list, "notificationRules")) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode r = list.get(i);
      String path = "notificationRules[" + i + "]";
      String name =
          entryName(file, doc, r, path, Specs.RULE_FIELDS, StateObject.RULE, "notification rule");
      if (name == null) {
        continue;
      }
      String channel = r.path("channel").asText("");
      if (state.get(StateObject.CHANNEL, channel) == null) {
        problem(
            file,
            doc.lineOf(path + ".channel"),
            path + ".channel",
            "UNKNOWN_CHANNEL",
            "'" + channel + "' is not a notificationChannel of environment.yaml");
        continue;
      }
      Set<String> events =
          Set.of("RUN_FAILED", "RUN_SUCCEEDED", "MISFIRE", "SLA_MISSED", "NO_WORKER");
      JsonNode ev = r.path("events");
      if (!ev.isArray() || ev.isEmpty()) {
        problem(
            file,
            doc.lineOf(path + ".events"),
            path + ".events",
            "REQUIRED",
            "events: a list of " + String.join(", ", new java.util.TreeSet<>(events)));
        continue;
      }
      boolean ok = true;
      for (int j = 0; j < ev.size(); j++) {
        if (!events.contains(ev.get(j).asText())) {
          problem(
              file,
              doc.lineOf(path + ".events[" + j + "]"),
              path + ".events[" + j + "]",
              "INVALID_VALUE",
              "'" + ev.get(j).asText() + "' is not one of " + new java.util.TreeSet<>(events));
          ok = false;
        }
      }
      if (!ok) {
        continue;
      }
      if (r.hasNonNull("pipeline")) {
        where.put(
            StateObject.RULE + "/" + name + "#pipeline",
            new LocalProject.Where(file, doc.lineOf(path + ".pipeline")));
      }
      state.add(new StateObject(StateObject.RULE, name, Specs.rule(r), null, null));
    }
  }

  /** Whether an optional field of environment.yaml is a list (absent: an empty one). */
  private boolean list(String file, YamlDocument doc, JsonNode v, String field) {
    if (v.isMissingNode() || v.isNull()) {
      return false;
    }
    if (!v.isArray()) {
      problem(file, doc.lineOf(field), field, "INVALID_TYPE", "must be a list");
      return false;
    }
    return true;
  }

  private void readPipelines() throws IOException {
    Path dir = root.resolve("pipelines");
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted().toList();
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        problem(rel(p), 0, "", "UNEXPECTED_FILE", "pipelines/ holds one folder per pipeline");
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        problem(
            rel(p),
            0,
            "",
            "INVALID_NAME",
            "'" + name + "' is not a pipeline name " + NAME.pattern());
        continue;
      }
      readPipeline(name, p);
    }
  }

  private void readPipeline(String name, Path dir) throws IOException {
    Path f = dir.resolve("pipeline.yaml");
    if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
      problem(rel(dir), 0, "", "REQUIRED", "pipeline.yaml is missing");
      return;
    }
    String text = text(f);
    if (text == null) {
      return;
    }
    String file = rel(f);
    YamlDocument doc;
    try {
      doc = YamlDocument.parse(text);
    } catch (YamlDocument.SyntaxException e) {
      problem(file, e.line(), "", "SYNTAX", e.getMessage());
      return;
    }
    JsonNode t = doc.tree();
    if (!t.isObject()) {
      problem(file, 1, "", "INVALID_TYPE", "a pipeline definition is a map");
      return;
    }
    if (t.hasNonNull("name") && !name.equals(t.get("name").asText())) {
      problem(
          file,
          doc.lineOf("name"),
          "name",
          "INVALID_VALUE",
          "'" + t.get("name").asText() + "' differs from the folder's name '" + name + "'");
    }
    pipelines.put(name, new LocalProject.PipelineSource(file, text, doc));
    ObjectNode payload = F.objectNode().put("source", text).put("format", "YAML");
    state.add(new StateObject(StateObject.PIPELINE, name, Specs.pipeline(t), null, payload));
    readFiles(name, dir.resolve("files"));
  }

  private void readFiles(String pipeline, Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      problem(rel(dir), 0, "", "SYMLINK", "files/ must be a folder, not a symbolic link");
      return;
    }
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> s = Files.walk(dir)) {
      all = s.sorted().toList();
    }
    for (Path p : all) {
      if (p.equals(dir) || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      String file = rel(p);
      String path = dir.relativize(p).toString().replace('\\', '/');
      Path real;
      try {
        real = p.toRealPath();
      } catch (IOException e) {
        problem(file, 0, "", "UNREADABLE", "cannot be read: " + e.getMessage());
        continue;
      }
      if (!real.startsWith(realRoot)) {
        problem(
            file,
            0,
            "",
            "SYMLINK_ESCAPES",
            "a symbolic link to " + real + ", outside the folder: refused");
        continue;
      }
      if (!Files.isRegularFile(real)) {
        problem(file, 0, "", "NOT_A_FILE", "not a regular file");
        continue;
      }
      if (!FILE_PATH.matcher(path).matches()) {
        problem(file, 0, "", "INVALID_PATH", "not a valid file path (at most 512 characters)");
        continue;
      }
      long size = Files.size(real);
      if (size > maxFileBytes) {
        problem(
            file,
            0,
            "",
            "TOO_LARGE",
            size + " bytes, more than the " + maxFileBytes + " bytes a code file may have");
        continue;
      }
      byte[] bytes = Files.readAllBytes(real);
      ObjectNode spec = F.objectNode().put("digest", Specs.sha256(bytes));
      ObjectNode payload = F.objectNode().put("localPath", real.toString());
      state.add(new StateObject(StateObject.FILE, pipeline + "/" + path, spec, null, payload));
    }
  }

  private void readRules(String folder, String kind, Set<String> fields) throws IOException {
    Path dir = root.resolve(folder);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted().toList();
    }
    for (Path f : entries) {
      String fileName = f.getFileName().toString();
      if (!fileName.endsWith(".yaml") && !fileName.endsWith(".yml")) {
        problem(rel(f), 0, "", "UNEXPECTED_FILE", folder + "/ holds .yaml files only");
        continue;
      }
      YamlDocument doc = document(f);
      if (doc == null) {
        continue;
      }
      String file = rel(f);
      JsonNode t = doc.tree();
      if (!t.isObject()) {
        problem(file, 1, "", "INVALID_TYPE", "must be a map");
        continue;
      }
      unknownFields(file, doc, "", t, fields);
      String name =
          t.hasNonNull("name") ? t.get("name").asText() : fileName.replaceAll("\\.ya?ml$", "");
      if (!NAME.matcher(name).matches()) {
        problem(
            file, doc.lineOf("name"), "name", "INVALID_NAME", "'" + name + "' is not a valid name");
        continue;
      }
      if (state.get(kind, name) != null) {
        problem(
            file,
            doc.lineOf("name"),
            "name",
            "DUPLICATE_NAME",
            kind + " '" + name + "' is defined twice");
        continue;
      }
      if (!t.path("pipeline").isTextual()) {
        problem(file, doc.lineOf("pipeline"), "pipeline", "REQUIRED", "the pipeline it starts");
        continue;
      }
      ObjectNode withName = ((ObjectNode) t.deepCopy()).put("name", name);
      ruleFiles.put(kind + "/" + name, file);
      if (t.has("release")) {
        JsonNode rel = t.get("release");
        boolean number = rel.canConvertToInt() && rel.isIntegralNumber() && rel.asInt() >= 1;
        boolean id = rel.isTextual() && RELEASE_ID.matcher(rel.asText()).matches();
        if (!number && !id) {
          problem(
              file,
              doc.lineOf("release"),
              "release",
              "INVALID_VALUE",
              "release pins a release of the pipeline: its number (1 = the first release) or its"
                  + " id; leave it out to run the latest release");
          continue;
        }
        where.put(
            kind + "/" + name + "#release", new LocalProject.Where(file, doc.lineOf("release")));
      }
      if (kind.equals(StateObject.SCHEDULE)) {
        if (t.hasNonNull("cron") == t.hasNonNull("rrule")) {
          problem(file, 1, "cron", "INVALID_VALUE", "exactly one of cron and rrule");
          continue;
        }
        state.add(new StateObject(kind, name, Specs.schedule(withName), null, null));
      } else {
        String k = t.path("kind").asText("");
        if (!Set.of("COMPLETION", "WEBHOOK", "KAFKA").contains(k)) {
          problem(
              file,
              doc.lineOf("kind"),
              "kind",
              "INVALID_VALUE",
              "kind is COMPLETION, WEBHOOK or KAFKA");
          continue;
        }
        state.add(new StateObject(kind, name, Specs.trigger(withName), null, null));
      }
    }
  }

  private void checkReferences() {
    for (Map.Entry<String, LocalProject.Where> w : where.entrySet()) {
      String key = w.getKey();
      int hash = key.indexOf('#');
      if (hash < 0) {
        continue;
      }
      String ref = key.substring(hash + 1);
      if (ref.startsWith("pipelines/")) {
        String p = ref.substring("pipelines/".length());
        if (state.get(StateObject.PIPELINE, p) == null) {
          problem(
              w.getValue().file(),
              w.getValue().line(),
              "secrets",
              "UNKNOWN_PIPELINE",
              "'" + p + "' is not a pipeline of this folder");
        }
      } else if (ref.startsWith("workerGroups/")) {
        String g = ref.substring("workerGroups/".length());
        if (state.get(StateObject.WORKER_GROUP, g) == null && !g.equals("default")) {
          problem(
              w.getValue().file(),
              w.getValue().line(),
              "secrets",
              "UNKNOWN_WORKER_GROUP",
              "'" + g + "' is not a worker group of environment.yaml");
        }
      }
    }
    for (StateObject o : state.all()) {
      if (o.kind().equals(StateObject.RULE) && o.spec().hasNonNull("pipeline")) {
        String p = o.spec().get("pipeline").asText();
        LocalProject.Where w = where.get(o.key() + "#pipeline");
        if (state.get(StateObject.PIPELINE, p) == null) {
          problem(
              w.file(),
              w.line(),
              "pipeline",
              "UNKNOWN_PIPELINE",
              "'" + p + "' is not a pipeline of this folder");
        }
      }
    }
    for (StateObject o : state.all()) {
      if (!o.kind().equals(StateObject.SCHEDULE) && !o.kind().equals(StateObject.TRIGGER)) {
        continue;
      }
      String where = ruleFiles.get(o.key());
      String p = o.spec().path("pipeline").asText();
      if (state.get(StateObject.PIPELINE, p) == null) {
        problem(
            where,
            0,
            "pipeline",
            "UNKNOWN_PIPELINE",
            "'" + p + "' is not a pipeline of this folder");
      }
      String up = o.spec().path("upstreamPipeline").asText(null);
      if (up != null && state.get(StateObject.PIPELINE, up) == null) {
        problem(
            where,
            0,
            "upstreamPipeline",
            "UNKNOWN_PIPELINE",
            "'" + up + "' is not a pipeline of this folder");
      }
    }
  }

  private void unknownFields(
      String file, YamlDocument doc, String path, JsonNode t, Set<String> known) {
    unknownFields(file, doc, path, t, known, known);
  }

  /** Fields not in {@code accepted} are problems naming the {@code known} ones. */
  private void unknownFields(
      String file,
      YamlDocument doc,
      String path,
      JsonNode t,
      Set<String> accepted,
      Set<String> known) {
    for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!accepted.contains(f)) {
        String p = path.isEmpty() ? f : path + "." + f;
        problem(
            file,
            doc.lineOf(p),
            p,
            "UNKNOWN_FIELD",
            "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private YamlDocument document(Path f) throws IOException {
    String text = text(f);
    if (text == null) {
      return null;
    }
    try {
      return YamlDocument.parse(text);
    } catch (YamlDocument.SyntaxException e) {
      problem(rel(f), e.line(), "", "SYNTAX", e.getMessage());
      return null;
    }
  }

  /** A document's text, or null (with a problem) when it is a link, too large or not UTF-8. */
  private String text(Path f) throws IOException {
    String file = rel(f);
    if (Files.isSymbolicLink(f)) {
      problem(file, 0, "", "SYMLINK", "definitions must be regular files, not symbolic links");
      return null;
    }
    if (Files.size(f) > MAX_DOCUMENT_BYTES) {
      problem(file, 0, "", "TOO_LARGE", "larger than " + MAX_DOCUMENT_BYTES + " bytes");
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f)))
          .toString();
    } catch (CharacterCodingException e) {
      problem(file, 0, "", "SYNTAX", "not UTF-8 text");
      return null;
    }
  }

  private String rel(Path p) {
    return root.relativize(p.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }

  private void problem(String file, int line, String path, String code, String message) {
    problems.add(new Problem(file, line, path, code, message));
  }
}
