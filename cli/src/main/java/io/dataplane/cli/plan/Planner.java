package io.dataplane.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes a plan: what turns the remote state of an environment into the local one. What the
 * folder does not name is deleted, except the environment's {@code default} worker group (tasks
 * that name no group run there) and secrets: a secret the folder does not list keeps its value and
 * loses its grants. A pipeline whose definition or files change (or whose draft was never released)
 * is released after the changes.
 */
public final class Planner {

  /** The order in which changes apply: what others depend on first, deletes last. */
  private static final List<String> KIND_ORDER =
      List.of(
          StateObject.WORKER_GROUP,
          StateObject.PIPELINE,
          StateObject.FILE,
          StateObject.SCHEDULE,
          StateObject.TRIGGER,
          StateObject.SECRET_GRANTS,
          StateObject.CHANNEL,
          StateObject.RULE);

  /** The worker group every environment has: tasks that name no group run there. */
  static final String DEFAULT_GROUP = "default";

  private Planner() {}

  public static Plan plan(String server, String environment, EnvState local, EnvState remote) {
    return plan(server, environment, local, remote, Instant.now());
  }

  public static Plan plan(
      String server, String environment, EnvState local, EnvState remote, Instant now) {
    List<Change> changes = new ArrayList<>();
    Set<String> released = new TreeSet<>();
    Set<String> keys = new TreeSet<>(local.objects().keySet());
    keys.addAll(remote.objects().keySet());
    for (String key : keys) {
      StateObject l = local.objects().get(key);
      StateObject r = remote.objects().get(key);
      if (l != null && r == null) {
        changes.add(
            new Change(
                l.kind(), l.name(), Change.Action.CREATE, summary(l), l.spec(), null, l.payload()));
      } else if (l == null) {
        if (r.kind().equals(StateObject.WORKER_GROUP) && r.name().equals(DEFAULT_GROUP)) {
          continue;
        }
        if (r.kind().equals(StateObject.SECRET_GRANTS)) {
          // the secret stays (its value is not the folder's business); its grants are revoked
          JsonNode none = Specs.JSON.createObjectNode();
          changes.add(
              new Change(
                  r.kind(),
                  r.name(),
                  Change.Action.UPDATE,
                  grantDiff(r.spec(), none),
                  none,
                  null,
                  null));
          continue;
        }
        changes.add(
            new Change(
                r.kind(), r.name(), Change.Action.DELETE, List.of(), null, r.remoteId(), null));
      } else if (!l.spec().equals(r.spec())) {
        changes.add(
            new Change(
                l.kind(),
                l.name(),
                Change.Action.UPDATE,
                l.kind().equals(StateObject.SECRET_GRANTS)
                    ? grantDiff(r.spec(), l.spec())
                    : JsonDiff.diff(r.spec(), l.spec()),
                l.spec(),
                r.remoteId(),
                l.payload()));
      }
    }
    for (Change c : changes) {
      if (c.action() == Change.Action.DELETE) {
        continue;
      }
      if (c.kind().equals(StateObject.PIPELINE)) {
        released.add(c.name());
      } else if (c.kind().equals(StateObject.FILE)) {
        String pipeline = c.name().substring(0, c.name().indexOf('/'));
        released.add(pipeline);
      }
    }
    for (Change c : changes) {
      if (c.action() == Change.Action.DELETE && c.kind().equals(StateObject.FILE)) {
        String pipeline = c.name().substring(0, c.name().indexOf('/'));
        if (local.get(StateObject.PIPELINE, pipeline) != null) {
          released.add(pipeline);
        }
      }
    }
    for (String p : remote.unreleased()) {
      if (local.get(StateObject.PIPELINE, p) != null) {
        released.add(p);
      }
    }
    changes.sort(ORDER);
    return new Plan(
        Plan.FORMAT,
        server,
        environment,
        now.toString(),
        remote.digest(),
        new TreeMap<>(remote.digests()),
        changes,
        new ArrayList<>(released));
  }

  /** Creates and updates by kind (dependencies first), then deletes in reverse kind order. */
  static final Comparator<Change> ORDER =
      Comparator.<Change>comparingInt(
              c ->
                  c.action() == Change.Action.DELETE
                      ? 100 - KIND_ORDER.indexOf(c.kind())
                      : KIND_ORDER.indexOf(c.kind()))
          .thenComparing(Change::name);

  private static List<String> summary(StateObject o) {
    JsonNode s = o.spec();
    return switch (o.kind()) {
      case StateObject.PIPELINE -> List.of(s.path("tasks").size() + " task(s)");
      case StateObject.FILE -> List.of(s.path("digest").asText());
      case StateObject.SCHEDULE ->
          List.of(
              s.path("pipeline").asText()
                  + " "
                  + (s.has("cron") ? "cron " + s.path("cron").asText() : s.path("rrule").asText())
                  + " "
                  + s.path("timezone").asText());
      case StateObject.TRIGGER ->
          List.of(s.path("kind").asText() + " -> " + s.path("pipeline").asText());
      case StateObject.WORKER_GROUP ->
          s.hasNonNull("description") ? List.of(s.get("description").asText()) : List.of();
      case StateObject.CHANNEL ->
          List.of(
              s.path("kind").asText()
                  + (s.hasNonNull("secretName") ? ", secret " + s.get("secretName").asText() : ""));
      case StateObject.RULE ->
          List.of(
              String.join(",", Specs.JSON.convertValue(s.path("events"), List.class))
                  + " of "
                  + s.path("pipeline").asText("every pipeline")
                  + " -> "
                  + s.path("channel").asText());
      case StateObject.SECRET_GRANTS -> grantDiff(Specs.JSON.createObjectNode(), s);
      default -> List.of();
    };
  }

  /** A secret's grants added and removed: {@code + pipeline etl}, {@code - workerGroup gpu}. */
  static List<String> grantDiff(JsonNode before, JsonNode after) {
    List<String> out = new ArrayList<>();
    for (String field : List.of("pipelines", "workerGroups")) {
      Set<String> a = new TreeSet<>();
      Set<String> b = new TreeSet<>();
      before.path(field).forEach(v -> a.add(v.asText()));
      after.path(field).forEach(v -> b.add(v.asText()));
      String label = field.substring(0, field.length() - 1);
      for (String x : b) {
        if (!a.contains(x)) {
          out.add("+ " + label + " " + x);
        }
      }
      for (String x : a) {
        if (!b.contains(x)) {
          out.add("- " + label + " " + x);
        }
      }
    }
    return out;
  }

  /**
   * What changed between the remote state a plan remembers and the remote state now, one line per
   * object ({@code pipeline/etl changed}, {@code schedule/nightly added}, …); empty: no drift.
   */
  public static List<String> drift(Map<String, String> planned, Map<String, String> now) {
    List<String> out = new ArrayList<>();
    Set<String> keys = new TreeSet<>(planned.keySet());
    keys.addAll(now.keySet());
    for (String k : keys) {
      String a = planned.get(k);
      String b = now.get(k);
      if (a == null) {
        out.add(k + (k.startsWith("release/") ? " has an unreleased draft now" : " was added"));
      } else if (b == null) {
        out.add(k + (k.startsWith("release/") ? " was released" : " was deleted"));
      } else if (!a.equals(b)) {
        out.add(k + " changed");
      }
    }
    return out;
  }
}
