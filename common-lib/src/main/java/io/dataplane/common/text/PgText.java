package io.dataplane.common.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes text storable in PostgreSQL {@code text} and {@code jsonb}: both refuse the NUL character
 * (also as the JSON escape {@code \u0000}) and unpaired UTF-16 surrogates. Each is replaced by
 * U+FFFD, so a task's output or log keeps its shape and shows where a character was dropped.
 *
 * <p>Applied by the worker to everything a task produced (outputs, log lines, errors), and again by
 * the orchestrator before it stores what a record carries: a record written by an older or hostile
 * worker cannot make the database refuse it.
 */
public final class PgText {

  /** What replaces a character PostgreSQL refuses. */
  public static final char REPLACEMENT = '\uFFFD';

  private PgText() {}

  /** Whether PostgreSQL stores {@code s} as it is. */
  public static boolean isClean(String s) {
    if (s == null) {
      return true;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return false;
        }
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@code s} with NUL and unpaired surrogates replaced; the same instance when it is clean. */
  public static String clean(String s) {
    if (isClean(s)) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        b.append(REPLACEMENT);
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          b.append(c).append(s.charAt(++i));
        } else {
          b.append(REPLACEMENT);
        }
      } else if (Character.isLowSurrogate(c)) {
        b.append(REPLACEMENT);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A JSON-like value (maps, lists, strings, numbers, booleans, null, as Jackson reads them) with
   * every string and map key cleaned; the same instance when nothing needed cleaning.
   */
  @SuppressWarnings("unchecked")
  public static <T> T cleanValue(T value) {
    return (T) cleanAny(value);
  }

  private static Object cleanAny(Object value) {
    if (value instanceof String s) {
      return clean(s);
    }
    if (value instanceof Map<?, ?> m) {
      boolean changed = false;
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object k = cleanAny(e.getKey());
        Object v = cleanAny(e.getValue());
        changed |= k != e.getKey() || v != e.getValue();
        out.put(k, v);
      }
      return changed ? out : m;
    }
    if (value instanceof List<?> l) {
      boolean changed = false;
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        Object c = cleanAny(o);
        changed |= c != o;
        out.add(c);
      }
      return changed ? out : l;
    }
    return value;
  }
}
