package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.SCHEDULER;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.Trigger;
import io.dataplane.gateway.client.SchedulerClient;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Event triggers, authorized like schedules: reading needs read; changing needs execute on the
 * pipeline a trigger starts (and, for a completion trigger, read on the pipeline it watches: no one
 * learns of runs they cannot see). Every change is audited; requests are rate-limited per principal
 * like every GraphQL call.
 */
@GraphQLApi
@Blocking
public class TriggerGraphQLApi {

  static final Set<String> KINDS = Set.of("COMPLETION", "WEBHOOK", "KAFKA");
  static final Set<String> ON_STATES = Set.of("SUCCEEDED", "FAILED", "ANY");

  private final Guard guard;
  private final SchedulerClient scheduler;
  private final PipelineRules<Trigger> triggers;

  public TriggerGraphQLApi(Guard guard, @RestClient SchedulerClient scheduler) {
    this.guard = guard;
    this.scheduler = scheduler;
    this.triggers =
        new PipelineRules<>(
            guard, "trigger", Permission.EXECUTE, scheduler::trigger, Trigger::pipeline);
  }

  @Query("triggers")
  @Description("The event triggers of an environment, optionally of one pipeline")
  public List<Trigger> triggers(@NonNull String environment, String pipeline) {
    Inputs.check().name("environment", environment).optionalName("pipeline", pipeline).orFail();
    guard.require(Permission.READ, environment, pipeline, "triggers");
    return Backends.items(SCHEDULER, () -> scheduler.triggers(environment, pipeline));
  }

  @Query("trigger")
  public Trigger trigger(@NonNull String environment, @NonNull String id) {
    Inputs.environmentAndId(environment, id);
    return triggers.get(environment, id, "trigger");
  }

  @Query("triggerFires")
  @Description("The fire ledger of a trigger, newest first: one row per event, REQUESTED or FAILED")
  public Object triggerFires(
      @NonNull String environment, @NonNull String id, @DefaultValue("50") int limit) {
    Inputs.check().range("limit", limit, 1, 500).orFail();
    trigger(environment, id);
    return Backends.call(SCHEDULER, () -> scheduler.triggerFires(environment, id, limit));
  }

  @Mutation("createTrigger")
  @Description(
      "Creates an event trigger; a TOKEN webhook's token is in this answer only (it is stored"
          + " hashed)")
  public Trigger createTrigger(
      @NonNull String environment, @NonNull @Name("input") TriggerInput input) {
    check(environment, input);
    Caller c = guard.require(Permission.EXECUTE, environment, input.pipeline(), "createTrigger");
    requireUpstream(c, environment, input, "createTrigger");
    return guard.mutation(
        c,
        "createTrigger",
        "pipeline " + input.pipeline(),
        environment,
        describe(input),
        SCHEDULER,
        () -> scheduler.createTrigger(environment, body(input)));
  }

  @Mutation("updateTrigger")
  public Trigger updateTrigger(
      @NonNull String environment, @NonNull String id, @NonNull @Name("input") TriggerInput input) {
    check(environment, input);
    Caller c = triggers.owner(environment, id, "updateTrigger");
    guard
        .access()
        .require(c, Permission.EXECUTE, environment, input.pipeline(), null, "updateTrigger");
    requireUpstream(c, environment, input, "updateTrigger");
    return triggers.change(
        c,
        "updateTrigger",
        environment,
        id,
        describe(input),
        () -> scheduler.updateTrigger(environment, id, body(input)));
  }

  @Mutation("deleteTrigger")
  public boolean deleteTrigger(@NonNull String environment, @NonNull String id) {
    return triggers.delete(
        environment, id, "deleteTrigger", () -> scheduler.deleteTrigger(environment, id));
  }

  @Mutation("pauseTrigger")
  @Description("Pauses a trigger (paused: true, the default) or resumes it (paused: false)")
  public Trigger pauseTrigger(
      @NonNull String environment, @NonNull String id, @DefaultValue("true") boolean paused) {
    String action = paused ? "pauseTrigger" : "resumeTrigger";
    return triggers.changeOwned(
        environment,
        id,
        action,
        null,
        () ->
            paused
                ? scheduler.pauseTrigger(environment, id)
                : scheduler.resumeTrigger(environment, id));
  }

  private void requireUpstream(Caller c, String environment, TriggerInput in, String action) {
    if ("COMPLETION".equals(in.kind()) && in.upstreamPipeline() != null) {
      guard.access().require(c, Permission.READ, environment, in.upstreamPipeline(), null, action);
    }
  }

  private static void check(String environment, TriggerInput in) {
    Inputs check =
        Inputs.pipelineRule(environment, in.pipeline(), in.name(), in.description(), in.releaseId())
            .maxLength("input.topic", in.topic(), 249)
            .maxLength("input.filterField", in.filterField(), 128)
            .maxLength("input.filterValue", in.filterValue(), 1000)
            .maxLength("input.secretName", in.secretName(), 128);
    check.that(KINDS.contains(in.kind()), "input.kind", "must be COMPLETION, WEBHOOK or KAFKA");
    if ("COMPLETION".equals(in.kind())) {
      check.name("input.upstreamPipeline", in.upstreamPipeline());
      check.that(
          in.onState() == null || ON_STATES.contains(in.onState()),
          "input.onState",
          "must be SUCCEEDED, FAILED or ANY");
    }
    check.jsonObject("input.params", in.params());
    check.orFail();
  }

  private static Map<String, Object> body(TriggerInput in) {
    Map<String, Object> body = ScheduleGraphQLApi.newBody(in.name(), in.pipeline());
    body.put("kind", in.kind());
    body.put("description", in.description());
    body.put("upstreamPipeline", in.upstreamPipeline());
    body.put("onState", in.onState());
    body.put("topic", in.topic());
    body.put("filterField", in.filterField());
    body.put("filterValue", in.filterValue());
    body.put("auth", in.auth());
    body.put("secretName", in.secretName());
    body.put("params", in.params() == null ? Map.of() : in.params());
    body.put("enabled", in.paused() == null || !in.paused());
    body.put("releaseId", in.releaseId());
    body.put("rotateToken", in.rotateToken());
    return body;
  }

  private static String describe(TriggerInput in) {
    return switch (in.kind()) {
      case "COMPLETION" ->
          "on " + in.upstreamPipeline() + " " + (in.onState() == null ? "SUCCEEDED" : in.onState());
      case "KAFKA" -> "on topic " + in.topic();
      default -> "webhook " + (in.auth() == null ? "TOKEN" : in.auth());
    };
  }

  @Input("TriggerInput")
  public record TriggerInput(
      @NonNull String pipeline,
      @NonNull @Description("COMPLETION, WEBHOOK or KAFKA") String kind,
      @Description("unique in the environment (default: the pipeline and a random suffix)")
          String name,
      String description,
      @Description("COMPLETION: the watched pipeline (same environment)") String upstreamPipeline,
      @Description("COMPLETION: SUCCEEDED (default), FAILED or ANY") String onState,
      @Description("KAFKA: the external topic") String topic,
      @Description("KAFKA: a top-level JSON field (dots for nesting) that must equal filterValue")
          String filterField,
      String filterValue,
      @Description("WEBHOOK: TOKEN (default) or HMAC") String auth,
      @Description("WEBHOOK HMAC: the secret holding the signing key") String secretName,
      @Description("params: Mustache templates of the event, e.g. {{ upstream.outputs.t.day }}")
          Object params,
      @Description("create it paused") Boolean paused,
      @Description("a release to pin (default: the latest release at each fire)") String releaseId,
      @Description("WEBHOOK TOKEN on update: issue a new token") Boolean rotateToken) {}
}
