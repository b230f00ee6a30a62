package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.SCHEDULER;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.Backfill;
import io.dataplane.gateway.client.Dtos.BackfillPreview;
import io.dataplane.gateway.client.Dtos.Schedule;
import io.dataplane.gateway.client.SchedulerClient;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import java.time.Instant;
import java.util.LinkedHashMap;
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

/** Schedules: reading needs read; changing or backfilling needs execute on the pipeline. */
@GraphQLApi
@Blocking
public class ScheduleGraphQLApi {

  static final Set<String> POLICIES = Set.of("ALL", "LAST", "NONE");

  private final Guard guard;
  private final SchedulerClient scheduler;
  private final PipelineRules<Schedule> schedules;

  public ScheduleGraphQLApi(Guard guard, @RestClient SchedulerClient scheduler) {
    this.guard = guard;
    this.scheduler = scheduler;
    this.schedules =
        new PipelineRules<>(
            guard, "schedule", Permission.EXECUTE, scheduler::schedule, Schedule::pipeline);
  }

  @Query("schedules")
  public List<Schedule> schedules(@NonNull String environment) {
    Inputs.check().name("environment", environment).orFail();
    guard.require(Permission.READ, environment, null, "schedules");
    return Backends.items(SCHEDULER, () -> scheduler.schedules(environment));
  }

  @Query("schedule")
  public Schedule schedule(@NonNull String environment, @NonNull String id) {
    Inputs.check().name("environment", environment).required("id", id).orFail();
    return schedules.get(environment, id, "schedule");
  }

  @Mutation("createSchedule")
  @Description("Creates a cron or RRule schedule for a pipeline")
  public Schedule createSchedule(
      @NonNull String environment, @NonNull @Name("input") ScheduleInput input) {
    check(environment, input);
    Caller c = guard.require(Permission.EXECUTE, environment, input.pipeline(), "createSchedule");
    return guard.mutation(
        c,
        "createSchedule",
        "pipeline " + input.pipeline(),
        environment,
        describe(input),
        SCHEDULER,
        () -> scheduler.create(environment, body(input)));
  }

  @Mutation("updateSchedule")
  public Schedule updateSchedule(
      @NonNull String environment,
      @NonNull String id,
      @NonNull @Name("input") ScheduleInput input) {
    check(environment, input);
    Caller c = schedules.owner(environment, id, "updateSchedule");
    guard
        .access()
        .require(c, Permission.EXECUTE, environment, input.pipeline(), null, "updateSchedule");
    return schedules.change(
        c,
        "updateSchedule",
        environment,
        id,
        describe(input),
        () -> scheduler.update(environment, id, body(input)));
  }

  @Mutation("deleteSchedule")
  public boolean deleteSchedule(@NonNull String environment, @NonNull String id) {
    return schedules.delete(
        environment, id, "deleteSchedule", () -> scheduler.delete(environment, id));
  }

  @Mutation("pauseSchedule")
  public Schedule pauseSchedule(@NonNull String environment, @NonNull String id) {
    return schedules.changeOwned(environment, id, "pauseSchedule", null, () -> scheduler.pause(id));
  }

  @Mutation("resumeSchedule")
  public Schedule resumeSchedule(@NonNull String environment, @NonNull String id) {
    return schedules.changeOwned(
        environment, id, "resumeSchedule", null, () -> scheduler.resume(id));
  }

  @Query("schedulePreview")
  @Description("The next fire times of a schedule")
  public Object schedulePreview(
      @NonNull String environment, @NonNull String id, @DefaultValue("10") int count) {
    Inputs.check().range("count", count, 1, 100).orFail();
    schedule(environment, id);
    return Backends.call(SCHEDULER, () -> scheduler.preview(id, count));
  }

  @Query("scheduleDraftPreview")
  @Description(
      "The next fire times of an unsaved schedule (a new one, or an edit before it is saved):"
          + " read on its pipeline")
  public Object scheduleDraftPreview(
      @NonNull String environment,
      @NonNull @Name("input") ScheduleInput input,
      @DefaultValue("10") int count) {
    check(environment, input);
    Inputs.check().range("count", count, 1, 100).orFail();
    guard.require(Permission.READ, environment, input.pipeline(), "scheduleDraftPreview");
    return Backends.call(SCHEDULER, () -> scheduler.previewDraft(environment, body(input), count));
  }

  @Query("scheduleFires")
  @Description("The fire ledger of a schedule, newest first")
  public Object scheduleFires(
      @NonNull String environment, @NonNull String id, @DefaultValue("50") int limit) {
    Inputs.check().range("limit", limit, 1, 500).orFail();
    schedule(environment, id);
    return Backends.call(SCHEDULER, () -> scheduler.fires(id, limit));
  }

  /** The most runs one backfill may have in flight (scheduler-service enforces it too). */
  static final int MAX_CONCURRENT = 100;

  @Mutation("backfillSchedule")
  @Description(
      "Starts a backfill: the runs a schedule would have started between two past instants, at most"
          + " maxConcurrent (1-100, default 1) in flight; fire times already fired are skipped")
  public Backfill backfillSchedule(
      @NonNull String environment,
      @NonNull String id,
      @NonNull Instant from,
      @NonNull Instant to,
      @DefaultValue("1") int maxConcurrent) {
    checkWindow(from, to);
    Inputs.check().range("maxConcurrent", maxConcurrent, 1, MAX_CONCURRENT).orFail();
    Caller c = schedules.owner(environment, id, "backfillSchedule");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", from.toString());
    body.put("to", to.toString());
    body.put("maxConcurrent", maxConcurrent);
    return schedules.change(
        c,
        "backfillSchedule",
        environment,
        id,
        from + " .. " + to + " maxConcurrent " + maxConcurrent,
        () -> scheduler.backfill(id, body));
  }

  @Query("backfillPreview")
  @Description(
      "A dry run of a backfill: the fire times of the window and which of them already fired"
          + " (read on the pipeline)")
  public BackfillPreview backfillPreview(
      @NonNull String environment, @NonNull String id, @NonNull Instant from, @NonNull Instant to) {
    checkWindow(from, to);
    schedule(environment, id);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", from.toString());
    body.put("to", to.toString());
    body.put("dryRun", true);
    return Backends.call(SCHEDULER, () -> scheduler.backfillPreview(id, body));
  }

  @Query("backfills")
  @Description("The backfills of a schedule, newest first (read on the pipeline)")
  public List<Backfill> backfills(@NonNull String environment, @NonNull String scheduleId) {
    Inputs.check().maxLength("scheduleId", scheduleId, 100).orFail();
    schedule(environment, scheduleId);
    List<Backfill> list = Backends.call(SCHEDULER, () -> scheduler.backfills(scheduleId));
    return list == null ? List.of() : list;
  }

  @Query("backfill")
  @Description("One backfill with its counts (read on the pipeline of its schedule)")
  public Backfill backfill(@NonNull String environment, @NonNull String id) {
    Backfill b = backfillIn(environment, id, "backfill");
    schedule(environment, b.scheduleId());
    return b;
  }

  @Mutation("cancelBackfill")
  @Description(
      "Cancels a backfill: fire times not requested yet are not requested; runs already started"
          + " go on. Cancelling a finished or cancelled backfill changes nothing and returns it")
  public Backfill cancelBackfill(@NonNull String environment, @NonNull String id) {
    Backfill b = backfillIn(environment, id, "cancelBackfill");
    Caller c = schedules.owner(environment, b.scheduleId(), "cancelBackfill");
    return guard.mutation(
        c,
        "cancelBackfill",
        "backfill " + id,
        environment,
        "schedule " + b.scheduleId() + " was " + b.state(),
        SCHEDULER,
        () -> scheduler.cancelBackfill(id));
  }

  /**
   * A backfill of a schedule of this environment; NOT_FOUND, alike, for an unknown id and for a
   * backfill of another environment's schedule (which the caller must not learn of).
   */
  private Backfill backfillIn(String environment, String id, String action) {
    Inputs.environmentAndId(environment, id);
    guard.access().requireSomeRightIn(guard.caller(), environment, action);
    try {
      Backfill b = Backends.call(SCHEDULER, () -> scheduler.backfillById(id));
      Backends.call(SCHEDULER, () -> scheduler.schedule(environment, b.scheduleId()));
      return b;
    } catch (ApiError.NotFound e) {
      throw new ApiError.NotFound("backfill " + id + " in " + environment);
    }
  }

  private static void checkWindow(Instant from, Instant to) {
    Inputs.check()
        .that(from.isBefore(to), "to", "must be after from")
        .that(!to.isAfter(Instant.now()), "to", "must not be in the future")
        .orFail();
  }

  private static void check(String environment, ScheduleInput in) {
    Inputs check =
        Inputs.pipelineRule(
            environment, in.pipeline(), in.name(), in.description(), in.releaseId());
    boolean hasCron = in.cron() != null && !in.cron().isBlank();
    boolean hasRrule = in.rrule() != null && !in.rrule().isBlank();
    check.that(hasCron ^ hasRrule, "input.cron", "give exactly one of cron and rrule");
    check.maxLength("input.cron", in.cron(), 200).maxLength("input.rrule", in.rrule(), 1000);
    if (in.timezone() != null) {
      try {
        java.time.ZoneId.of(in.timezone());
      } catch (java.time.DateTimeException e) {
        check.add("input.timezone", "unknown time zone");
      }
    }
    check.that(
        in.misfirePolicy() == null || POLICIES.contains(in.misfirePolicy()),
        "input.misfirePolicy",
        "must be ALL, LAST or NONE");
    check.jsonObject("input.params", in.params());
    check.orFail();
  }

  private static Map<String, Object> body(ScheduleInput in) {
    Map<String, Object> body = newBody(in.name(), in.pipeline());
    body.put("description", in.description());
    body.put("cron", in.cron());
    body.put("rrule", in.rrule());
    body.put("timezone", in.timezone() == null ? "UTC" : in.timezone());
    body.put("params", in.params() == null ? Map.of() : in.params());
    body.put("misfirePolicy", in.misfirePolicy() == null ? "ALL" : in.misfirePolicy());
    body.put("enabled", in.paused() == null || !in.paused());
    body.put("releaseId", in.releaseId());
    return body;
  }

  /**
   * A schedule's or a trigger's body, starting with its name (default: the pipeline and a random
   * suffix) and its pipeline.
   */
  static Map<String, Object> newBody(String name, String pipeline) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "name",
        name != null
            ? name
            : pipeline + "-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    body.put("pipeline", pipeline);
    return body;
  }

  private static String describe(ScheduleInput in) {
    return (in.cron() != null ? "cron " + in.cron() : "rrule " + in.rrule())
        + " "
        + (in.timezone() == null ? "UTC" : in.timezone());
  }

  @Input("ScheduleInput")
  public record ScheduleInput(
      @NonNull String pipeline,
      @Description("unique in the environment (default: the pipeline and a random suffix)")
          String name,
      String description,
      String cron,
      String rrule,
      @Description("IANA time zone (default UTC)") String timezone,
      Object params,
      @Description("ALL (default), LAST or NONE") String misfirePolicy,
      @Description("create it paused") Boolean paused,
      @Description("a release to pin (default: the latest release at each fire)")
          String releaseId) {}
}
