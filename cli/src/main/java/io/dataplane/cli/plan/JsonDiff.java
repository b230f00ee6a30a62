package io.dataplane.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A semantic diff of two normalized documents, one line per changed leaf: {@code ~ path: old ->
 * new}, {@code + path: new}, {@code - path: old}. Arrays of objects with a {@code key} (tasks) are
 * matched by key, so reordering is no change and a changed task is named by its key.
 */
public final class JsonDiff {

  private JsonDiff() {}

  public static List<String> diff(JsonNode before, JsonNode after) {
    List<String> out = new ArrayList<>();
    walk("", before, after, out);
    return out;
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<String> out) {
    if (a == null && b == null) {
      return;
    }
    if (a == null) {
      out.add("+ " + label(path) + ": " + b);
      return;
    }
    if (b == null) {
      out.add("- " + label(path) + ": " + a);
      return;
    }
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        walk(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
      }
      return;
    }
    if (a.isArray() && b.isArray() && keyed(a) && keyed(b)) {
      Map<String, JsonNode> ka = byKey(a);
      Map<String, JsonNode> kb = byKey(b);
      TreeSet<String> keys = new TreeSet<>(ka.keySet());
      keys.addAll(kb.keySet());
      for (String k : keys) {
        walk(path + "[key=" + k + "]", ka.get(k), kb.get(k), out);
      }
      return;
    }
    out.add("~ " + label(path) + ": " + a + " -> " + b);
  }

  private static String label(String path) {
    return path.isEmpty() ? "(document)" : path;
  }

  private static boolean keyed(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isObject() || !n.path("key").isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, JsonNode> byKey(JsonNode array) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
      JsonNode n = it.next();
      m.put(n.path("key").asText(), n);
    }
    return m;
  }
}
