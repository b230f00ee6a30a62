package io.dataplane.common.triggers;

import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse.Detail;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of a trigger's fields, shared by the scheduler (API triggers, and declared triggers
 * when a release is announced) and the orchestrator (a definition's {@code triggers:}, checked as
 * the author types). Plain Java: each broken rule becomes a {@link Detail} naming its field.
 */
public final class TriggerRules {

  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  public static final Pattern PIPELINE = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");
  public static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  public static final Pattern SECRET = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  public static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  public static final Set<String> ON_STATES = Set.of("SUCCEEDED", "FAILED", "ANY");
  public static final Set<String> KINDS = Set.of("COMPLETION", "WEBHOOK", "KAFKA");

  /** Most characters of a description. */
  public static final int MAX_DESCRIPTION = 2000;

  private TriggerRules() {}

  /** The checked fields in their normal form (kind and states upper case, defaults applied). */
  public record Normal(
      String kind, String upstreamPipeline, String onState, String topic, String auth) {}

  /**
   * Checks a trigger, adding one detail per broken rule to {@code out} (paths prefixed by {@code
   * prefix}, e.g. {@code triggers[0].}).
   *
   * @param environment the environment whose topics a KAFKA trigger may read ({@code
   *     <environment>.<name>}); null for a definition, whose topic is relative
   * @return the normal form, meaningful only when nothing was added to {@code out}
   */
  public static Normal check(TriggerSpec r, String environment, String prefix, List<Detail> out) {
    name(out, prefix, "name", r.name(), NAME);
    if (r.pipeline() != null || environment != null) {
      name(out, prefix, "pipeline", r.pipeline(), PIPELINE);
    }
    String kind = null;
    if (r.kind() == null || r.kind().isBlank()) {
      out.add(detail(prefix, "kind", "kind is required: COMPLETION, WEBHOOK or KAFKA"));
    } else if (!KINDS.contains(r.kind().strip().toUpperCase(Locale.ROOT))) {
      out.add(detail(prefix, "kind", "kind must be COMPLETION, WEBHOOK or KAFKA"));
    } else {
      kind = r.kind().strip().toUpperCase(Locale.ROOT);
    }
    String upstream = null;
    String onState = null;
    String topic = null;
    String auth = null;
    if ("COMPLETION".equals(kind)) {
      if (r.upstreamPipeline() != null && r.upstreamPipeline().contains("/")) {
        out.add(
            detail(
                prefix,
                "upstreamPipeline",
                "upstreamPipeline names a pipeline of the trigger's own environment;"
                    + " another environment's pipeline cannot be watched"));
      } else {
        name(out, prefix, "upstreamPipeline", r.upstreamPipeline(), PIPELINE);
      }
      upstream = r.upstreamPipeline();
      onState = r.onState() == null ? "SUCCEEDED" : r.onState().strip().toUpperCase(Locale.ROOT);
      if (!ON_STATES.contains(onState)) {
        out.add(detail(prefix, "onState", "onState must be SUCCEEDED, FAILED or ANY"));
      }
    } else if ("KAFKA".equals(kind)) {
      topic = r.topic() == null ? null : r.topic().strip();
      if (topic == null || !TOPIC.matcher(topic).matches()) {
        out.add(detail(prefix, "topic", "topic must be 1-249 letters, digits, '.', '_' or '-'"));
      } else if (environment != null && !topic.startsWith(environment + ".")) {
        out.add(
            detail(
                prefix,
                "topic",
                "an environment's triggers read only topics named "
                    + environment
                    + ".<name>: another environment's messages never start runs here"));
      } else if (topic.startsWith("dataplane.") || topic.startsWith("__")) {
        out.add(
            detail(
                prefix,
                "topic",
                "topic must be an external topic, not one of the platform's own or Kafka's"));
      }
      if (r.filterField() != null && !FIELD.matcher(r.filterField()).matches()) {
        out.add(
            detail(
                prefix, "filterField", "filterField must be a JSON field name (dots for nesting)"));
      }
      if ((r.filterField() == null) != (r.filterValue() == null)) {
        out.add(detail(prefix, "filterValue", "give filterField and filterValue together"));
      }
    } else if ("WEBHOOK".equals(kind)) {
      auth = r.auth() == null ? "TOKEN" : r.auth().strip().toUpperCase(Locale.ROOT);
      if (!auth.equals("TOKEN") && !auth.equals("HMAC")) {
        out.add(detail(prefix, "auth", "auth must be TOKEN or HMAC"));
      } else if (auth.equals("HMAC")
          && (r.secretName() == null || !SECRET.matcher(r.secretName()).matches())) {
        out.add(
            detail(
                prefix, "secretName", "HMAC needs secretName, the secret holding the signing key"));
      }
    }
    if (r.description() != null && r.description().length() > MAX_DESCRIPTION) {
      out.add(
          detail(
              prefix,
              "description",
              "description is longer than " + MAX_DESCRIPTION + " characters"));
    }
    try {
      ParamTemplates.check(r.params());
      ParamTemplates.requireNoNul("params", r.params());
    } catch (ParamTemplates.TemplateException e) {
      out.add(detail(prefix, "params." + e.param(), e.getMessage()));
    }
    return new Normal(kind, upstream, onState, topic, auth);
  }

  private static void name(List<Detail> d, String prefix, String field, String v, Pattern p) {
    if (v == null || v.isBlank()) {
      d.add(detail(prefix, field, field + " is required"));
    } else if (!p.matcher(v).matches()) {
      d.add(detail(prefix, field, field + " is not a valid name (" + p.pattern() + ")"));
    }
  }

  private static Detail detail(String prefix, String field, String message) {
    return new Detail(prefix + field, ErrorCodes.INVALID_INPUT, message);
  }
}
