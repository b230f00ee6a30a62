package io.dataplane.scheduler.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a notification says, for each kind of channel, built from the facts of a delivery (event,
 * environment, pipeline, run, state, error, link). Texts from users (an error message, a pipeline
 * name) are bounded here, so that a run failing with a 2 MB error still sends a small message;
 * header values (an email subject) lose their line breaks. Plain Java.
 */
public final class Messages {

  /** Most characters of an error message in a notification. */
  public static final int MAX_ERROR = 2000;

  /** Most characters of an email subject. */
  public static final int MAX_SUBJECT = 200;

  private Messages() {}

  /** The console's page of a run: {@code <console>/e/<env>/runs/<id>} (null without a console). */
  public static String runLink(String consoleUrl, String environment, String runId) {
    if (consoleUrl == null || consoleUrl.isBlank() || runId == null) {
      return null;
    }
    String base =
        consoleUrl.endsWith("/") ? consoleUrl.substring(0, consoleUrl.length() - 1) : consoleUrl;
    return base
        + "/e/"
        + URLEncoder.encode(environment, StandardCharsets.UTF_8)
        + "/runs/"
        + URLEncoder.encode(runId, StandardCharsets.UTF_8);
  }

  /** {@code s} cut to {@code max} characters, marked when cut. */
  public static String bounded(String s, int max) {
    if (s == null) {
      return null;
    }
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, max) + "… (" + (s.length() - max) + " more characters)";
  }

  /** A header value on one line: CR, LF and other control characters become spaces. */
  public static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp ->
                b.appendCodePoint(
                    Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029 ? ' ' : cp));
    return b.toString().strip();
  }

  /** A one-line summary: "[prod] pipeline nightly: run FAILED". */
  public static String title(Map<String, Object> facts) {
    String event = str(facts.get("event"));
    if ("NO_WORKER".equals(event)) {
      return "["
          + str(facts.get("environment"))
          + "] worker group "
          + str(facts.get("workerGroup"))
          + ": no live worker, tasks wait";
    }
    String what =
        switch (event) {
          case "RUN_FAILED" -> "run FAILED";
          case "RUN_SUCCEEDED" -> "run SUCCEEDED";
          case "MISFIRE" -> "misfire";
          case "SLA_MISSED" -> "run missed its SLA";
          default -> event;
        };
    return "["
        + str(facts.get("environment"))
        + "] pipeline "
        + str(facts.get("pipeline"))
        + ": "
        + what;
  }

  /** The email subject (one line, bounded). */
  public static String subject(Map<String, Object> facts) {
    return bounded(oneLine("Dataplane " + title(facts)), MAX_SUBJECT);
  }

  /** A plain-text body (email). */
  public static String text(Map<String, Object> facts) {
    StringBuilder b = new StringBuilder(title(facts)).append("\n\n");
    line(b, "Environment", facts.get("environment"));
    line(b, "Pipeline", facts.get("pipeline"));
    line(b, "Worker group", facts.get("workerGroup"));
    line(b, "Pipelines", facts.get("pipelines"));
    line(b, "Run", facts.get("runId"));
    line(b, "State", facts.get("state"));
    line(b, "Detail", facts.get("detail"));
    line(b, "Error", facts.get("error"));
    line(b, "Link", facts.get("link"));
    line(b, "At", facts.get("occurredAt"));
    return b.toString();
  }

  private static void line(StringBuilder b, String label, Object v) {
    if (v != null && !str(v).isEmpty()) {
      b.append(label).append(": ").append(str(v)).append('\n');
    }
  }

  /** The JSON body of a generic webhook: the facts and the delivery's id. */
  public static Map<String, Object> webhook(String deliveryId, Map<String, Object> facts) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("deliveryId", deliveryId);
    m.putAll(facts);
    m.put("title", title(facts));
    return m;
  }

  /**
   * A Slack incoming-webhook payload: a fallback {@code text} and Block Kit blocks (a header, the
   * facts, the error and a button to the run in the console).
   */
  public static Map<String, Object> slack(Map<String, Object> facts) {
    List<Object> blocks = new ArrayList<>();
    blocks.add(
        Map.of(
            "type",
            "header",
            "text",
            Map.of("type", "plain_text", "text", bounded(title(facts), 140))));
    List<Object> fields = new ArrayList<>();
    for (String k : List.of("environment", "pipeline", "workerGroup", "state", "runId")) {
      Object v = facts.get(k);
      if (v != null) {
        fields.add(
            Map.of("type", "mrkdwn", "text", "*" + k + "*\n" + escape(bounded(str(v), 200))));
      }
    }
    if (!fields.isEmpty()) {
      blocks.add(Map.of("type", "section", "fields", fields));
    }
    for (String k : List.of("detail", "error")) {
      Object v = facts.get(k);
      if (v != null && !str(v).isEmpty()) {
        // a section's text holds at most 3000 characters
        blocks.add(
            Map.of(
                "type",
                "section",
                "text",
                Map.of("type", "mrkdwn", "text", "```" + escape(bounded(str(v), 2500)) + "```")));
      }
    }
    Object link = facts.get("link");
    if (link != null) {
      blocks.add(
          Map.of(
              "type",
              "actions",
              "elements",
              List.of(
                  Map.of(
                      "type",
                      "button",
                      "text",
                      Map.of("type", "plain_text", "text", "Open the run"),
                      "url",
                      str(link)))));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", title(facts) + (link == null ? "" : " " + link));
    m.put("blocks", blocks);
    return m;
  }

  /** Slack's mrkdwn escapes: &, < and >. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String str(Object o) {
    return o == null ? "" : o.toString();
  }
}
