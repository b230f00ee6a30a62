package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.ORCHESTRATOR;
import static io.dataplane.gateway.client.Backends.SCHEDULER;
import static io.dataplane.gateway.client.Backends.SECRETS;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.Environment;
import io.dataplane.gateway.client.Dtos.LogRetention;
import io.dataplane.gateway.client.Dtos.Pipeline;
import io.dataplane.gateway.client.Dtos.Run;
import io.dataplane.gateway.client.Dtos.Schedule;
import io.dataplane.gateway.client.Dtos.Secret;
import io.dataplane.gateway.client.Dtos.Trigger;
import io.dataplane.gateway.client.Dtos.Worker;
import io.dataplane.gateway.client.Dtos.WorkerGroup;
import io.dataplane.gateway.client.NotificationDtos.Channel;
import io.dataplane.gateway.client.NotificationDtos.Rule;
import io.dataplane.gateway.client.OrchestratorClient;
import io.dataplane.gateway.client.Requests;
import io.dataplane.gateway.client.SchedulerClient;
import io.dataplane.gateway.client.SecretsClient;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.ApiKeyService;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.dataplane.gateway.security.RoleBindingService;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Environments, worker groups and live workers. */
@GraphQLApi
@Blocking
public class EnvironmentGraphQLApi {

  /** How many names a refused deletion lists per kind. */
  static final int NAMED = 5;

  private final Guard guard;
  private final OrchestratorClient orchestrator;
  private final SchedulerClient scheduler;
  private final SecretsClient secrets;
  private final RoleBindingService bindings;
  private final ApiKeyService keys;

  public EnvironmentGraphQLApi(
      Guard guard,
      @RestClient OrchestratorClient orchestrator,
      @RestClient SchedulerClient scheduler,
      @RestClient SecretsClient secrets,
      RoleBindingService bindings,
      ApiKeyService keys) {
    this.guard = guard;
    this.orchestrator = orchestrator;
    this.scheduler = scheduler;
    this.secrets = secrets;
    this.bindings = bindings;
    this.keys = keys;
  }

  @Query("environments")
  @Description("Environments you have any permission in (admins: all)")
  public List<Environment> environments() {
    Caller c = guard.caller();
    Set<String> visible = guard.access().visibleEnvironments(c);
    List<Environment> all = Backends.call(ORCHESTRATOR, orchestrator::environments);
    return all.stream()
        .filter(e -> visible == null || visible.contains(e.name()))
        .filter(e -> c.keyCovers(e.name()))
        .toList();
  }

  @Query("environment")
  public Environment environment(@NonNull String name) {
    Inputs.check().name("name", name).orFail();
    guard.require(Permission.READ, name, null, "environment");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.environment(name));
  }

  @Mutation("createEnvironment")
  @Description("Creates an environment (admins only)")
  public Environment createEnvironment(@NonNull String name, String description) {
    return changeEnvironment(
        name,
        description,
        "createEnvironment",
        () -> orchestrator.createEnvironment(new Requests.NewEnvironment(name, description)));
  }

  @Mutation("updateEnvironment")
  @Description("Changes an environment's description (admins only)")
  public Environment updateEnvironment(@NonNull String name, String description) {
    return changeEnvironment(
        name,
        description,
        "updateEnvironment",
        () -> orchestrator.updateEnvironment(name, new Requests.Description(description)));
  }

  /** Creates or changes an environment (admins only); audited. */
  private Environment changeEnvironment(
      String name, String description, String action, Supplier<Environment> change) {
    Caller c = guard.requireAdmin(action);
    Inputs.check().name("name", name).maxLength("description", description, 1000).orFail();
    return guard.mutation(
        c, action, "environment " + name, name, description, ORCHESTRATOR, change);
  }

  @Mutation("deleteEnvironment")
  @Description(
      "Deletes an environment (admins only). CONFLICT, naming them, while it has pipelines,"
          + " unfinished runs, worker groups besides default, schedules, triggers, notification"
          + " channels or rules, secrets, or live API keys scoped to it: nothing is deleted by"
          + " accident. Role bindings on it go with it; run and release history is kept; the name"
          + " can be used again")
  public boolean deleteEnvironment(@NonNull String name) {
    Caller c = guard.requireAdmin("deleteEnvironment");
    Inputs.check().name("name", name).orFail();
    return guard.mutation(
        c,
        "deleteEnvironment",
        "environment " + name,
        name,
        null,
        () -> {
          // NOT_FOUND before anything else
          Backends.call(ORCHESTRATOR, () -> orchestrator.environment(name));
          List<String> problems = new ArrayList<>();
          named(
              problems,
              "pipeline(s)",
              Backends.call(ORCHESTRATOR, () -> orchestrator.pipelines(name)),
              Pipeline::name);
          named(
              problems,
              "schedule(s)",
              Backends.items(SCHEDULER, () -> scheduler.schedules(name)),
              Schedule::name);
          named(
              problems,
              "trigger(s)",
              Backends.items(SCHEDULER, () -> scheduler.triggers(name, null)),
              Trigger::name);
          named(
              problems,
              "notification channel(s)",
              Backends.items(SCHEDULER, () -> scheduler.notificationChannels(name)),
              Channel::name);
          named(
              problems,
              "notification rule(s)",
              Backends.items(SCHEDULER, () -> scheduler.notificationRules(name, null)),
              Rule::name);
          named(
              problems,
              "secret(s)",
              Backends.items(SECRETS, () -> secrets.secrets(name), list -> list),
              Secret::name);
          named(
              problems,
              "live API key(s)",
              keys.liveKeysOf(name),
              k -> k.name() + " of " + k.owner());
          if (!problems.isEmpty()) {
            throw new ApiError.Conflict(
                "environment '"
                    + name
                    + "' still has "
                    + String.join("; ", problems)
                    + "; delete or revoke them first");
          }
          // unfinished runs, pipelines and worker groups are checked again there, atomically
          Backends.run(ORCHESTRATOR, () -> orchestrator.deleteEnvironment(name));
          int unbound = bindings.unbindEnvironment(name).size();
          Log.infof("environment %s deleted with %d role binding(s)", name, unbound);
          return true;
        });
  }

  /** Adds "N what: a, b, c, and 2 more" (their names) when {@code items} is not empty. */
  private static <T> void named(
      List<String> problems, String what, List<T> items, Function<T, String> name) {
    if (items.isEmpty()) {
      return;
    }
    List<String> names = items.stream().map(name).toList();
    List<String> first = names.stream().limit(NAMED).toList();
    problems.add(
        names.size()
            + " "
            + what
            + ": "
            + String.join(", ", first)
            + (names.size() > first.size()
                ? ", and " + (names.size() - first.size()) + " more"
                : ""));
  }

  @Name("logRetention")
  @Description("Task log retention of this environment")
  public LogRetention environmentLogRetention(@Source Environment environment) {
    guard.require(Permission.READ, environment.name(), null, "logRetention");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.logRetention(environment.name()));
  }

  @Mutation("setEnvironmentLogRetention")
  @Description(
      "Sets an environment's task log retention (admins only): days a finished run's logs are"
          + " kept, the most bytes of logs one run stores; 0: no limit, null: the platform default")
  public LogRetention setEnvironmentLogRetention(
      @NonNull String environment, Integer retentionDays, Long maxBytesPerRun) {
    Caller c = guard.requireAdmin("setEnvironmentLogRetention");
    Inputs.check().name("environment", environment).orFail();
    return guard.mutation(
        c,
        "setEnvironmentLogRetention",
        "environment " + environment,
        environment,
        "retentionDays=" + retentionDays + " maxBytesPerRun=" + maxBytesPerRun,
        ORCHESTRATOR,
        () ->
            orchestrator.setLogRetention(
                environment, new Requests.LogRetention(retentionDays, maxBytesPerRun)));
  }

  @Query("workerGroups")
  public List<WorkerGroup> workerGroups(@NonNull String environment) {
    Inputs.check().name("environment", environment).orFail();
    guard.require(Permission.READ, environment, null, "workerGroups");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.workerGroups(environment));
  }

  @Name("workerGroups")
  @Description("Worker groups of this environment")
  public List<WorkerGroup> environmentWorkerGroups(@Source Environment environment) {
    return workerGroups(environment.name());
  }

  @Mutation("createWorkerGroup")
  @Description("Creates a worker group in an environment (write on the environment)")
  public WorkerGroup createWorkerGroup(
      @NonNull String environment, @NonNull String name, String description) {
    return changeWorkerGroup(
        environment,
        name,
        description,
        "createWorkerGroup",
        () ->
            orchestrator.createWorkerGroup(
                environment, new Requests.NewWorkerGroup(name, description)));
  }

  @Mutation("updateWorkerGroup")
  @Description("Changes a worker group's description (write on the environment)")
  public WorkerGroup updateWorkerGroup(
      @NonNull String environment, @NonNull String name, String description) {
    return changeWorkerGroup(
        environment,
        name,
        description,
        "updateWorkerGroup",
        () ->
            orchestrator.updateWorkerGroup(
                environment, name, new Requests.Description(description)));
  }

  /** Creates or changes a worker group (write on the environment); audited. */
  private WorkerGroup changeWorkerGroup(
      String environment,
      String name,
      String description,
      String action,
      Supplier<WorkerGroup> change) {
    Inputs.check()
        .name("environment", environment)
        .name("name", name)
        .maxLength("description", description, 1000)
        .orFail();
    Caller c = guard.require(Permission.WRITE, environment, null, action);
    return guard.mutation(
        c, action, "worker group " + name, environment, description, ORCHESTRATOR, change);
  }

  @Mutation("deleteWorkerGroup")
  @Description(
      "Deletes a worker group (delete on the environment); CONFLICT, naming them, while unfinished"
          + " runs have tasks in it or pipelines (draft or current release) name it")
  public boolean deleteWorkerGroup(@NonNull String environment, @NonNull String name) {
    Inputs.check().name("environment", environment).name("name", name).orFail();
    Caller c = guard.require(Permission.DELETE, environment, null, "deleteWorkerGroup");
    return guard.deletion(
        c,
        "deleteWorkerGroup",
        "worker group " + name,
        environment,
        ORCHESTRATOR,
        () -> orchestrator.deleteWorkerGroup(environment, name));
  }

  @Query("workers")
  @Description(
      "Live workers of an environment's worker groups (optionally one group); a worker's groups"
          + " read environment/group; admins may omit the environment to see every worker")
  public List<Worker> workers(String environment, String group) {
    Caller c = guard.caller();
    Inputs.check().optionalName("environment", environment).optionalName("group", group).orFail();
    if (environment == null) {
      guard.access().requireAdmin(c, "workers");
      if (group != null) {
        throw ApiError.invalid(
            "environment", "a worker group belongs to an environment: give the environment too");
      }
      return Backends.call(ORCHESTRATOR, () -> orchestrator.workers(null, null));
    }
    guard.access().require(c, Permission.READ, environment, null, group, "workers");
    Set<String> groups =
        Backends.call(ORCHESTRATOR, () -> orchestrator.workerGroups(environment)).stream()
            .map(g -> environment + "/" + g.name())
            .collect(Collectors.toSet());
    if (group != null && !groups.contains(environment + "/" + group)) {
      return List.of();
    }
    List<Worker> workers =
        Backends.call(ORCHESTRATOR, () -> orchestrator.workers(environment, group)).stream()
            .filter(w -> w.groups() != null && w.groups().stream().anyMatch(groups::contains))
            .toList();
    if (guard.access().isAdmin(c)) {
      return workers;
    }
    // one worker may serve groups of several environments: show only the attempts of runs the
    // caller may read
    Map<String, Boolean> readable = new HashMap<>();
    return workers.stream().map(w -> withReadableAttempts(c, w, readable)).toList();
  }

  private Worker withReadableAttempts(Caller c, Worker w, Map<String, Boolean> readable) {
    if (!(w.running() instanceof List<?> running) || running.isEmpty()) {
      return w;
    }
    List<Object> kept = new ArrayList<>();
    for (Object attempt : running) {
      Object runId = attempt instanceof Map<?, ?> m ? m.get("runId") : null;
      if (runId != null && readable.computeIfAbsent(runId.toString(), id -> mayRead(c, id))) {
        kept.add(attempt);
      }
    }
    return new Worker(
        w.workerId(),
        w.state(),
        w.groups(),
        w.cpuLoad(),
        w.memoryUsedBytes(),
        w.memoryTotalBytes(),
        w.systemLoad(),
        w.slots(),
        w.freeSlots(),
        kept,
        w.version(),
        w.draining(),
        w.startedAt(),
        w.lastSeen(),
        w.sandbox());
  }

  private boolean mayRead(Caller c, String runId) {
    try {
      Run run = Backends.call(ORCHESTRATOR, () -> orchestrator.run(runId));
      return guard.access().allowed(c, Permission.READ, run.environment(), run.pipeline(), null);
    } catch (ApiError.NotFound e) {
      return false;
    }
  }
}
