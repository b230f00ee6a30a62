package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.SCHEDULER;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.NotificationDtos.Channel;
import io.dataplane.gateway.client.NotificationDtos.DeliveryView;
import io.dataplane.gateway.client.NotificationDtos.Rule;
import io.dataplane.gateway.client.SchedulerClient;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Notifications (scheduler-service, docs/notifications.md). Channels belong to an environment:
 * reading them needs read on it, changing them write on it. A rule of one pipeline needs write on
 * that pipeline, a rule of the whole environment write on the environment. The delivery log needs
 * read on the environment (or on the pipeline it is filtered to). Every change is audited.
 */
@GraphQLApi
@Blocking
public class NotificationGraphQLApi {

  private final Guard guard;
  private final SchedulerClient scheduler;
  private final PipelineRules<Rule> rules;

  public NotificationGraphQLApi(Guard guard, @RestClient SchedulerClient scheduler) {
    this.guard = guard;
    this.scheduler = scheduler;
    // a rule of the whole environment has no pipeline: write on the environment
    this.rules =
        new PipelineRules<>(
            guard,
            "notification rule",
            Permission.WRITE,
            scheduler::notificationRule,
            Rule::pipeline);
  }

  @Query("notificationChannels")
  @Description("The notification channels of an environment")
  public List<Channel> notificationChannels(@NonNull String environment) {
    Inputs.check().name("environment", environment).orFail();
    guard.require(Permission.READ, environment, null, "notificationChannels");
    return Backends.items(SCHEDULER, () -> scheduler.notificationChannels(environment));
  }

  @Query("notificationRules")
  @Description("The notification rules of an environment, optionally of one pipeline")
  public List<Rule> notificationRules(@NonNull String environment, String pipeline) {
    Inputs.check().name("environment", environment).optionalName("pipeline", pipeline).orFail();
    guard.require(Permission.READ, environment, pipeline, "notificationRules");
    return Backends.items(SCHEDULER, () -> scheduler.notificationRules(environment, pipeline));
  }

  @Query("notificationDeliveries")
  @Description(
      "The delivery log of an environment, newest first: each notification, its state and its"
          + " attempts")
  public List<DeliveryView> notificationDeliveries(
      @NonNull String environment,
      String pipeline,
      String ruleId,
      String channelId,
      @DefaultValue("50") int limit) {
    Inputs.check()
        .name("environment", environment)
        .optionalName("pipeline", pipeline)
        .maxLength("ruleId", ruleId, 100)
        .maxLength("channelId", channelId, 100)
        .range("limit", limit, 1, 500)
        .orFail();
    guard.require(Permission.READ, environment, pipeline, "notificationDeliveries");
    return Backends.items(
        SCHEDULER,
        () -> scheduler.notificationDeliveries(environment, ruleId, channelId, pipeline, limit));
  }

  @Mutation("createNotificationChannel")
  @Description(
      "Creates a notification channel (its secret must exist as NOTIFY_* in the environment)")
  public Channel createNotificationChannel(
      @NonNull String environment, @NonNull @Name("input") ChannelInput input) {
    check(environment, input);
    Caller c = guard.require(Permission.WRITE, environment, null, "createNotificationChannel");
    return guard.mutation(
        c,
        "createNotificationChannel",
        "notification channel " + input.name(),
        environment,
        input.kind(),
        SCHEDULER,
        () -> scheduler.createNotificationChannel(environment, body(input)));
  }

  @Mutation("updateNotificationChannel")
  public Channel updateNotificationChannel(
      @NonNull String environment, @NonNull String id, @NonNull @Name("input") ChannelInput input) {
    check(environment, input);
    Inputs.check().required("id", id).maxLength("id", id, 100).orFail();
    Caller c = guard.require(Permission.WRITE, environment, null, "updateNotificationChannel");
    return guard.mutation(
        c,
        "updateNotificationChannel",
        "notification channel " + id,
        environment,
        input.kind(),
        SCHEDULER,
        () -> scheduler.updateNotificationChannel(environment, id, body(input)));
  }

  @Mutation("deleteNotificationChannel")
  @Description("Deletes a channel and its rules (the delivery log stays)")
  public boolean deleteNotificationChannel(@NonNull String environment, @NonNull String id) {
    Inputs.environmentAndId(environment, id);
    Caller c = guard.require(Permission.WRITE, environment, null, "deleteNotificationChannel");
    return guard.deletion(
        c,
        "deleteNotificationChannel",
        "notification channel " + id,
        environment,
        SCHEDULER,
        () -> scheduler.deleteNotificationChannel(environment, id));
  }

  @Mutation("createNotificationRule")
  public Rule createNotificationRule(
      @NonNull String environment, @NonNull @Name("input") RuleInput input) {
    check(environment, input);
    Caller c =
        guard.require(Permission.WRITE, environment, input.pipeline(), "createNotificationRule");
    return guard.mutation(
        c,
        "createNotificationRule",
        "notification rule " + input.name(),
        environment,
        describe(input),
        SCHEDULER,
        () -> scheduler.createNotificationRule(environment, body(input)));
  }

  @Mutation("updateNotificationRule")
  public Rule updateNotificationRule(
      @NonNull String environment, @NonNull String id, @NonNull @Name("input") RuleInput input) {
    check(environment, input);
    Caller c = rules.owner(environment, id, "updateNotificationRule");
    guard
        .access()
        .require(
            c, Permission.WRITE, environment, input.pipeline(), null, "updateNotificationRule");
    return rules.change(
        c,
        "updateNotificationRule",
        environment,
        id,
        describe(input),
        () -> scheduler.updateNotificationRule(environment, id, body(input)));
  }

  @Mutation("deleteNotificationRule")
  public boolean deleteNotificationRule(@NonNull String environment, @NonNull String id) {
    return rules.delete(
        environment,
        id,
        "deleteNotificationRule",
        () -> scheduler.deleteNotificationRule(environment, id));
  }

  private static void check(String environment, ChannelInput in) {
    Inputs.check()
        .name("environment", environment)
        .maxLength("input.name", in.name(), 128)
        .maxLength("input.kind", in.kind(), 20)
        .maxLength("input.url", in.url(), 2000)
        .that(
            in.secretName() == null || Inputs.SECRET_NAME.matcher(in.secretName()).matches(),
            "input.secretName",
            "a secret name (NOTIFY_...)")
        .maxLength("input.smtpHost", in.smtpHost(), 253)
        .maxLength("input.smtpTls", in.smtpTls(), 20)
        .maxLength("input.smtpUsername", in.smtpUsername(), 256)
        .maxLength("input.from", in.from(), 320)
        .that(in.to() == null || in.to().size() <= 50, "input.to", "at most 50 addresses")
        .orFail();
  }

  private static void check(String environment, RuleInput in) {
    Inputs.check()
        .name("environment", environment)
        .maxLength("input.name", in.name(), 128)
        .optionalName("input.pipeline", in.pipeline())
        .required("input.channelId", in.channelId())
        .maxLength("input.channelId", in.channelId(), 100)
        .that(in.events() != null && in.events().size() <= 10, "input.events", "1 to 10 events")
        .orFail();
  }

  private static Map<String, Object> body(ChannelInput in) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("name", in.name());
    b.put("kind", in.kind());
    b.put("url", in.url());
    b.put("secretName", in.secretName());
    b.put("smtpHost", in.smtpHost());
    b.put("smtpPort", in.smtpPort());
    b.put("smtpTls", in.smtpTls());
    b.put("smtpUsername", in.smtpUsername());
    b.put("from", in.from());
    b.put("to", in.to());
    return b;
  }

  private static Map<String, Object> body(RuleInput in) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("name", in.name());
    b.put("pipeline", in.pipeline());
    b.put("events", in.events());
    b.put("channelId", in.channelId());
    b.put("quietPeriodSeconds", in.quietPeriodSeconds());
    b.put("enabled", in.enabled());
    return b;
  }

  private static String describe(RuleInput in) {
    return (in.pipeline() == null ? "every pipeline" : "pipeline " + in.pipeline())
        + " "
        + in.events()
        + " to channel "
        + in.channelId();
  }

  @Input("NotificationChannelInput")
  public record ChannelInput(
      @NonNull @Description("unique in the environment") String name,
      @NonNull @Description("WEBHOOK, SLACK or EMAIL") String kind,
      @Description("WEBHOOK: the receiver's http(s) URL (public unless an operator allows it)")
          String url,
      @Description(
              "A NOTIFY_* secret of the environment: WEBHOOK signing key, SLACK incoming webhook"
                  + " URL, EMAIL SMTP password")
          String secretName,
      @Description("EMAIL: the SMTP server") String smtpHost,
      @Description("EMAIL: its port (default 587)") Integer smtpPort,
      @Description("EMAIL: NONE, STARTTLS (default) or TLS") String smtpTls,
      @Description("EMAIL: the SMTP user (none: no login)") String smtpUsername,
      @Description("EMAIL: the sender address") String from,
      @Description("EMAIL: the recipients") List<String> to) {}

  @Input("NotificationRuleInput")
  public record RuleInput(
      @NonNull @Description("unique in the environment") String name,
      @Description("a pipeline; none: every pipeline of the environment") String pipeline,
      @NonNull @Description("RUN_FAILED, RUN_SUCCEEDED, MISFIRE, SLA_MISSED, NO_WORKER")
          List<String> events,
      @NonNull String channelId,
      @Description("seconds after a notification in which the rule stays quiet for that pipeline")
          Integer quietPeriodSeconds,
      @Description("false: the rule sends nothing (default true)") Boolean enabled) {}
}
