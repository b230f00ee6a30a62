package io.dataplane.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The normalized form the plan compares: the same function reads the folder's YAML and the server's
 * answers, so that only a real difference shows up. Canonical JSON has its keys sorted, no nulls
 * and no empty objects.
 */
public final class Specs {

  public static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Fields of a schedule file, with the server's defaults. */
  public static final Set<String> SCHEDULE_FIELDS =
      Set.of(
          "name",
          "pipeline",
          "cron",
          "rrule",
          "timezone",
          "misfirePolicy",
          "params",
          "description",
          "paused",
          "release");

  /** Fields of a trigger file. */
  public static final Set<String> TRIGGER_FIELDS =
      Set.of(
          "name",
          "pipeline",
          "kind",
          "upstreamPipeline",
          "onState",
          "topic",
          "filterField",
          "filterValue",
          "auth",
          "secretName",
          "params",
          "description",
          "paused",
          "release");

  /** Fields of a notification channel in environment.yaml. */
  public static final Set<String> CHANNEL_FIELDS =
      Set.of(
          "name",
          "kind",
          "url",
          "secretName",
          "smtpHost",
          "smtpPort",
          "smtpTls",
          "smtpUsername",
          "from",
          "to");

  /** Fields of a notification rule in environment.yaml. */
  public static final Set<String> RULE_FIELDS =
      Set.of("name", "channel", "pipeline", "events", "quietPeriodSeconds", "enabled");

  /** Fields of a secret's entry in environment.yaml (names only, never a value). */
  public static final Set<String> SECRET_FIELDS = Set.of("name", "pipelines", "workerGroups");

  private Specs() {}

  /** Keys sorted, nulls and empty objects/arrays dropped, recursively. */
  public static JsonNode canonical(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      n.fields()
          .forEachRemaining(
              e -> {
                JsonNode v = canonical(e.getValue());
                if (v != null && !(v.isContainerNode() && v.isEmpty())) {
                  sorted.put(e.getKey(), v);
                }
              });
      ObjectNode o = F.objectNode();
      sorted.forEach(o::set);
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = F.arrayNode();
      n.forEach(
          v -> {
            JsonNode c = canonical(v);
            a.add(c == null ? F.nullNode() : c);
          });
      return a;
    }
    return n;
  }

  /**
   * A pipeline definition as the plan compares it: canonical, without {@code name} (the folder
   * names the pipeline), tasks sorted by key, {@code dependsOn} and {@code secrets} sorted.
   */
  public static JsonNode pipeline(JsonNode definition) {
    JsonNode c = canonical(definition);
    if (c == null || !c.isObject()) {
      return c == null ? F.objectNode() : c;
    }
    ObjectNode o = (ObjectNode) c;
    o.remove("name");
    JsonNode tasks = o.get("tasks");
    if (tasks != null && tasks.isArray()) {
      List<JsonNode> list = new ArrayList<>();
      tasks.forEach(
          t -> {
            if (t.isObject()) {
              sortArray((ObjectNode) t, "dependsOn");
              sortArray((ObjectNode) t, "secrets");
            }
            list.add(t);
          });
      list.sort(Comparator.comparing(t -> t.path("key").asText()));
      ArrayNode sorted = F.arrayNode();
      list.forEach(sorted::add);
      o.set("tasks", sorted);
    }
    return o;
  }

  private static void sortArray(ObjectNode o, String field) {
    JsonNode a = o.get(field);
    if (a != null && a.isArray()) {
      List<String> items = new ArrayList<>();
      a.forEach(v -> items.add(v.asText()));
      items.sort(null);
      ArrayNode s = F.arrayNode();
      items.forEach(s::add);
      o.set(field, s);
    }
  }

  /** A schedule (from its file, or from the server's {@code Schedule}) with the defaults filled. */
  public static JsonNode schedule(JsonNode s) {
    ObjectNode o = F.objectNode();
    copy(s, o, "name", "pipeline", "cron", "rrule", "params", "description", "release");
    o.put("timezone", text(s, "timezone", "UTC"));
    o.put("misfirePolicy", text(s, "misfirePolicy", "ALL"));
    o.put("paused", paused(s));
    return canonical(o);
  }

  /** A trigger (from its file, or from the server's {@code Trigger}) with the defaults filled. */
  public static JsonNode trigger(JsonNode t) {
    ObjectNode o = F.objectNode();
    copy(
        t,
        o,
        "name",
        "pipeline",
        "kind",
        "upstreamPipeline",
        "topic",
        "filterField",
        "filterValue",
        "secretName",
        "params",
        "description",
        "release");
    String kind = text(t, "kind", "");
    if (kind.equals("COMPLETION")) {
      o.put("onState", text(t, "onState", "SUCCEEDED"));
    }
    if (kind.equals("WEBHOOK")) {
      o.put("auth", text(t, "auth", "TOKEN"));
    }
    o.put("paused", paused(t));
    return canonical(o);
  }

  /** A worker group: its name and description. */
  public static JsonNode workerGroup(String name, String description) {
    ObjectNode o = F.objectNode().put("name", name);
    if (description != null && !description.isBlank()) {
      o.put("description", description);
    }
    return o;
  }

  /** A secret's grants: the pipelines and worker groups, sorted, without duplicates. */
  public static JsonNode grants(JsonNode pipelines, JsonNode workerGroups) {
    ObjectNode o = F.objectNode();
    o.set("pipelines", sortedSet(pipelines));
    o.set("workerGroups", sortedSet(workerGroups));
    return canonical(o);
  }

  /**
   * A notification channel (from environment.yaml, or the server's {@code NotificationChannel} with
   * {@code mailFrom}/{@code mailTo}) with the server's defaults: an EMAIL channel's port 587 and
   * STARTTLS; only an EMAIL channel has SMTP fields.
   */
  public static JsonNode channel(JsonNode c) {
    ObjectNode o = F.objectNode();
    copy(c, o, "name", "url", "secretName");
    String kind = text(c, "kind", "").toUpperCase(java.util.Locale.ROOT);
    o.put("kind", kind);
    if (kind.equals("EMAIL")) {
      copy(c, o, "smtpHost", "smtpUsername");
      o.put("smtpPort", c.hasNonNull("smtpPort") ? c.get("smtpPort").asInt() : 587);
      o.put("smtpTls", text(c, "smtpTls", "STARTTLS").toUpperCase(java.util.Locale.ROOT));
      JsonNode from = c.hasNonNull("from") ? c.get("from") : c.get("mailFrom");
      JsonNode to = c.hasNonNull("to") ? c.get("to") : c.get("mailTo");
      if (from != null && !from.isNull()) {
        o.set("from", from);
      }
      if (to != null && !to.isNull()) {
        o.set("to", to);
      }
    }
    return canonical(o);
  }

  /**
   * A notification rule with the server's defaults (enabled, quiet period 0, events upper case and
   * sorted); {@code channel} is the channel's name (the server's {@code channelId} is mapped to it
   * by the caller).
   */
  public static JsonNode rule(JsonNode r) {
    ObjectNode o = F.objectNode();
    copy(r, o, "name", "channel", "pipeline");
    ArrayNode events = F.arrayNode();
    new TreeSet<>(
            r.path("events").isArray()
                ? java.util.stream.StreamSupport.stream(r.path("events").spliterator(), false)
                    .map(e -> e.asText().strip().toUpperCase(java.util.Locale.ROOT))
                    .toList()
                : List.<String>of())
        .forEach(events::add);
    o.set("events", events);
    o.put(
        "quietPeriodSeconds",
        r.hasNonNull("quietPeriodSeconds") ? r.get("quietPeriodSeconds").asInt() : 0);
    o.put("enabled", !r.hasNonNull("enabled") || r.get("enabled").asBoolean());
    return canonical(o);
  }

  private static ArrayNode sortedSet(JsonNode list) {
    TreeSet<String> s = new TreeSet<>();
    if (list != null && list.isArray()) {
      list.forEach(v -> s.add(v.asText()));
    }
    ArrayNode a = F.arrayNode();
    s.forEach(a::add);
    return a;
  }

  private static boolean paused(JsonNode n) {
    if (n.hasNonNull("paused")) {
      return n.get("paused").asBoolean();
    }
    return "PAUSED".equals(n.path("state").asText());
  }

  private static String text(JsonNode n, String field, String dflt) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? dflt : v.asText();
  }

  private static void copy(JsonNode from, ObjectNode to, String... fields) {
    for (String f : fields) {
      JsonNode v = from.get(f);
      if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
        to.set(f, v);
      }
    }
  }

  /** Canonical JSON text of a node. */
  public static String canonicalText(JsonNode n) {
    try {
      return JSON.writeValueAsString(canonical(n));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code sha256:<hex>} of bytes: the digest format of the whole platform. */
  public static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }
}
