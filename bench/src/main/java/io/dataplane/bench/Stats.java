package io.dataplane.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Percentiles and the one JSON line every benchmark prints last. */
final class Stats {

  private Stats() {}

  /** The p-th percentile (0..100) of the samples, nearest rank. */
  static double percentile(double[] samples, double p) {
    double[] s = samples.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  /** Prints the figures as one JSON line (numbers as numbers, the rest as strings). */
  static void printJson(Map<String, Object> figures) {
    String body =
        figures.entrySet().stream()
            .map(e -> "\"" + e.getKey() + "\":" + value(e.getValue()))
            .collect(Collectors.joining(","));
    System.out.println("{" + body + "}");
  }

  private static String value(Object v) {
    if (v instanceof Number n) {
      return String.format(Locale.ROOT, "%s", n);
    }
    return "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static Map<String, Object> figures(String benchmark) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("benchmark", benchmark);
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.version"));
    return m;
  }
}
