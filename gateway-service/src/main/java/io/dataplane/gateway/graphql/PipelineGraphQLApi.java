package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.FILESTORE;
import static io.dataplane.gateway.client.Backends.ORCHESTRATOR;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.Bundle;
import io.dataplane.gateway.client.Dtos.Deployment;
import io.dataplane.gateway.client.Dtos.FileContent;
import io.dataplane.gateway.client.Dtos.FileEntry;
import io.dataplane.gateway.client.Dtos.FileList;
import io.dataplane.gateway.client.Dtos.Pipeline;
import io.dataplane.gateway.client.Dtos.Release;
import io.dataplane.gateway.client.Dtos.ValidationResult;
import io.dataplane.gateway.client.FilestoreClient;
import io.dataplane.gateway.client.OrchestratorClient;
import io.dataplane.gateway.client.Requests;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.dataplane.gateway.service.PipelineFiles;
import io.smallrye.common.annotation.Blocking;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Pipelines (drafts), their code files and their releases. */
@GraphQLApi
@Blocking
public class PipelineGraphQLApi {

  /** Largest text file writeFile accepts (larger or binary files go through REST). */
  static final int MAX_TEXT_FILE = 128 * 1024;

  /** Formats a definition may be written in. */
  public enum DefinitionFormat {
    YAML,
    JSON
  }

  private final Guard guard;
  private final OrchestratorClient orchestrator;
  private final FilestoreClient filestore;
  private final PipelineFiles files;

  public PipelineGraphQLApi(
      Guard guard,
      @RestClient OrchestratorClient orchestrator,
      @RestClient FilestoreClient filestore,
      PipelineFiles files) {
    this.guard = guard;
    this.orchestrator = orchestrator;
    this.filestore = filestore;
    this.files = files;
  }

  @Query("pipelines")
  public List<Pipeline> pipelines(@NonNull String environment) {
    Inputs.check().name("environment", environment).orFail();
    Caller c = guard.caller();
    guard.access().requireSomeRightIn(c, environment, "pipelines");
    boolean onEnvironment = guard.access().allowed(c, Permission.READ, environment, null, null);
    List<Pipeline> all = Backends.call(ORCHESTRATOR, () -> orchestrator.pipelines(environment));
    if (onEnvironment) {
      return all;
    }
    // rights on single pipelines only: show those
    List<Pipeline> mine =
        all.stream()
            .filter(p -> guard.access().allowed(c, Permission.READ, environment, p.name(), null))
            .toList();
    if (mine.isEmpty()) {
      guard.access().require(c, Permission.READ, environment, null, null, "pipelines");
    }
    return mine;
  }

  @Query("pipeline")
  public Pipeline pipeline(@NonNull String environment, @NonNull String name) {
    Inputs.check().name("environment", environment).name("name", name).orFail();
    guard.require(Permission.READ, environment, name, "pipeline");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.pipeline(environment, name));
  }

  @Mutation("savePipeline")
  @Description("Saves a pipeline's draft from a YAML or JSON definition")
  public Pipeline savePipeline(
      @NonNull String environment,
      @NonNull String name,
      @NonNull String definition,
      @DefaultValue("YAML") DefinitionFormat format) {
    Inputs.check()
        .name("environment", environment)
        .name("name", name)
        .required("definition", definition)
        .maxLength("definition", definition, 512 * 1024)
        .orFail();
    Caller c = guard.require(Permission.WRITE, environment, name, "savePipeline");
    // the worker groups the tasks would run in, read by the orchestrator: each needs the caller's
    // right before the definition is saved (or any problem with it, such as an unknown group, is
    // shown)
    OrchestratorClient.DefinitionCheck check =
        Backends.call(
            ORCHESTRATOR,
            () ->
                format == DefinitionFormat.JSON
                    ? orchestrator.checkPipelineJson(environment, name, definition)
                    : orchestrator.checkPipelineYaml(environment, name, definition));
    guard
        .access()
        .requireUseOfWorkerGroups(
            c,
            environment,
            name,
            check.workerGroups() == null ? List.of() : check.workerGroups(),
            "savePipeline");
    return guard.mutation(
        c,
        "savePipeline",
        "pipeline " + name,
        environment,
        format + " definition, " + definition.length() + " characters",
        ORCHESTRATOR,
        () ->
            format == DefinitionFormat.JSON
                ? orchestrator.savePipelineJson(environment, name, definition)
                : orchestrator.savePipelineYaml(environment, name, definition));
  }

  @Mutation("validatePipeline")
  @Description(
      "Checks a definition (the console validates as one types) or, without one, the saved draft:"
          + " every problem with its path")
  public ValidationResult validatePipeline(
      @NonNull String environment,
      @NonNull String name,
      String definition,
      @DefaultValue("YAML") DefinitionFormat format) {
    Inputs.check()
        .name("environment", environment)
        .name("name", name)
        .maxLength("definition", definition, 512 * 1024)
        .orFail();
    guard.require(Permission.READ, environment, name, "validatePipeline");
    if (definition == null) {
      return Backends.call(ORCHESTRATOR, () -> orchestrator.validatePipeline(environment, name));
    }
    return Backends.call(
        ORCHESTRATOR,
        () ->
            format == DefinitionFormat.JSON
                ? orchestrator.validateJson(environment, name, definition)
                : orchestrator.validateYaml(environment, name, definition));
  }

  @Mutation("deletePipeline")
  public boolean deletePipeline(@NonNull String environment, @NonNull String name) {
    Inputs.check().name("environment", environment).name("name", name).orFail();
    Caller c = guard.require(Permission.DELETE, environment, name, "deletePipeline");
    return guard.deletion(
        c,
        "deletePipeline",
        "pipeline " + name,
        environment,
        ORCHESTRATOR,
        () -> orchestrator.deletePipeline(environment, name));
  }

  @Query("files")
  @Description("A pipeline's code files")
  public List<FileEntry> files(@NonNull String environment, @NonNull String pipeline) {
    Inputs.check().name("environment", environment).name("pipeline", pipeline).orFail();
    guard.require(Permission.READ, environment, pipeline, "files");
    return Backends.items(FILESTORE, () -> filestore.files(environment, pipeline), FileList::items);
  }

  @Query("file")
  @Description("One text file (binary files: GET /api/files/{env}/{pipeline}/{path})")
  public FileContent file(
      @NonNull String environment, @NonNull String pipeline, @NonNull String path) {
    PipelineFiles.check("environment", environment, pipeline, path);
    byte[] bytes = files.read(environment, pipeline, path, "file");
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return new FileContent(path, text, bytes.length);
    } catch (CharacterCodingException e) {
      throw io.dataplane.gateway.error.ApiError.invalid(
          "path", "the file is binary; download it with GET /api/files/...");
    }
  }

  @Mutation("writeFile")
  @Description("Writes a text file (UTF-8) of a pipeline")
  public FileEntry writeFile(
      @NonNull String environment,
      @NonNull String pipeline,
      @NonNull String path,
      @NonNull String content) {
    PipelineFiles.check("environment", environment, pipeline, path);
    Inputs.check().maxLength("content", content, MAX_TEXT_FILE).orFail();
    return files.write(
        environment, pipeline, path, content.getBytes(StandardCharsets.UTF_8), "writeFile");
  }

  @Mutation("moveFile")
  public FileEntry moveFile(
      @NonNull String environment,
      @NonNull String pipeline,
      @NonNull String from,
      @NonNull String to) {
    Inputs.check()
        .name("environment", environment)
        .name("pipeline", pipeline)
        .matches("from", from, PipelineFiles.PATH, PipelineFiles.PATH_RULE)
        .matches("to", to, PipelineFiles.PATH, PipelineFiles.PATH_RULE)
        .orFail();
    Caller c = guard.require(Permission.WRITE, environment, pipeline, "moveFile");
    return guard.mutation(
        c,
        "moveFile",
        PipelineFiles.target(pipeline, from),
        environment,
        "to " + to,
        FILESTORE,
        () -> filestore.move(environment, pipeline, new Requests.FileMove(from, to)));
  }

  @Mutation("deleteFile")
  public boolean deleteFile(
      @NonNull String environment, @NonNull String pipeline, @NonNull String path) {
    PipelineFiles.check("environment", environment, pipeline, path);
    return files.delete(environment, pipeline, path, "deleteFile");
  }

  @Query("releases")
  public List<Release> releases(@NonNull String environment, @NonNull String pipeline) {
    Inputs.check().name("environment", environment).name("pipeline", pipeline).orFail();
    guard.require(Permission.READ, environment, pipeline, "releases");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.releases(environment, pipeline));
  }

  @Query("release")
  public Release release(@NonNull String id) {
    Inputs.check().required("id", id).maxLength("id", id, 200).orFail();
    Caller c = guard.caller();
    Release r = Backends.call(ORCHESTRATOR, () -> orchestrator.releaseById(id));
    guard.access().requireVisible(c, r.environment(), r.pipeline(), "release " + id, "release");
    return r;
  }

  @Mutation("releasePipeline")
  @Description(
      "Releases the draft: bundles the code files (unless bundle=false) and pins both in an"
          + " immutable release")
  public Release releasePipeline(
      @NonNull String environment, @NonNull String pipeline, @DefaultValue("true") boolean bundle) {
    Inputs.check().name("environment", environment).name("pipeline", pipeline).orFail();
    Caller c = guard.require(Permission.RELEASE, environment, pipeline, "releasePipeline");
    Pipeline draft =
        Backends.call(ORCHESTRATOR, () -> orchestrator.pipeline(environment, pipeline));
    guard
        .access()
        .requireUseOfWorkerGroups(
            c, environment, pipeline, workerGroupsOf(draft.definition()), "releasePipeline");
    return guard.mutation(
        c,
        "releasePipeline",
        "pipeline " + pipeline,
        environment,
        bundle ? "with code bundle" : "without code bundle",
        () -> {
          String digest = null;
          if (bundle) {
            Bundle b = Backends.call(FILESTORE, () -> filestore.bundle(environment, pipeline));
            digest = b.digest();
          }
          String bundleDigest = digest;
          return Backends.call(
              ORCHESTRATOR,
              () ->
                  orchestrator.release(
                      environment, pipeline, new Requests.NewRelease(bundleDigest)));
        });
  }

  @Query("deployments")
  @Description(
      "Promotions into and rollbacks of a pipeline in an environment, newest first (read on the"
          + " pipeline)")
  public List<Deployment> deployments(@NonNull String environment, @NonNull String pipeline) {
    Inputs.check().name("environment", environment).name("pipeline", pipeline).orFail();
    guard.require(Permission.READ, environment, pipeline, "deployments");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.deployments(environment, pipeline));
  }

  @Mutation("rollbackPipeline")
  @Description(
      "Makes an earlier release of the pipeline the one its new runs and schedules on latest use"
          + " (release on the pipeline, and the right to use its worker groups), recorded as a"
          + " ROLLBACK deployment; to the current release it changes nothing")
  public Pipeline rollbackPipeline(
      @NonNull String environment, @NonNull String pipeline, @NonNull String releaseId) {
    Inputs.check()
        .name("environment", environment)
        .name("pipeline", pipeline)
        .required("releaseId", releaseId)
        .maxLength("releaseId", releaseId, 200)
        .orFail();
    Caller c = guard.require(Permission.RELEASE, environment, pipeline, "rollbackPipeline");
    Release target;
    try {
      target = Backends.call(ORCHESTRATOR, () -> orchestrator.releaseById(releaseId));
    } catch (ApiError.NotFound e) {
      target = null;
    }
    // the same answer whether the release is elsewhere or nowhere
    Inputs.check()
        .that(
            target != null
                && environment.equals(target.environment())
                && pipeline.equals(target.pipeline()),
            "releaseId",
            "is not a release of pipeline " + pipeline + " in " + environment)
        .orFail();
    guard
        .access()
        .requireUseOfWorkerGroups(
            c, environment, pipeline, workerGroupsOf(target.definition()), "rollbackPipeline");
    return guard.mutation(
        c,
        "rollbackPipeline",
        "pipeline " + pipeline,
        environment,
        "to release " + releaseId,
        () -> {
          Backends.call(
              ORCHESTRATOR,
              () -> orchestrator.rollback(environment, pipeline, new Requests.Rollback(releaseId)));
          return Backends.call(ORCHESTRATOR, () -> orchestrator.pipeline(environment, pipeline));
        });
  }

  @Query("releaseDiff")
  @Description("What changed between two releases of a pipeline")
  public Object releaseDiff(@NonNull String from, @NonNull String to) {
    Caller c = guard.caller();
    Release a = release(from);
    Release b = release(to);
    guard.access().requireVisible(c, b.environment(), b.pipeline(), "release " + to, "diff");
    guard.access().requireVisible(c, a.environment(), a.pipeline(), "release " + from, "diff");
    return Backends.call(ORCHESTRATOR, () -> orchestrator.diff(from, to));
  }

  @Mutation("promoteRelease")
  @Description(
      "Copies a release to another environment (read on the source, release on the target)")
  public Release promoteRelease(
      @NonNull String releaseId,
      @NonNull String targetEnvironment,
      List<WorkerGroupMapping> workerGroupMap) {
    Inputs check =
        Inputs.check()
            .required("releaseId", releaseId)
            .name("targetEnvironment", targetEnvironment);
    if (workerGroupMap != null) {
      for (int i = 0; i < workerGroupMap.size(); i++) {
        check.name("workerGroupMap[" + i + "].from", workerGroupMap.get(i).from());
        check.name("workerGroupMap[" + i + "].to", workerGroupMap.get(i).to());
      }
    }
    check.orFail();
    Caller c = guard.caller();
    Release source = release(releaseId);
    guard
        .access()
        .require(
            c, Permission.RELEASE, targetEnvironment, source.pipeline(), null, "promoteRelease");
    Map<String, String> map = new LinkedHashMap<>();
    if (workerGroupMap != null) {
      workerGroupMap.forEach(m -> map.put(m.from(), m.to()));
    }
    // the groups the promoted tasks will run in, in the target environment
    Set<String> targetGroups = new TreeSet<>();
    workerGroupsOf(source.definition()).forEach(g -> targetGroups.add(map.getOrDefault(g, g)));
    guard
        .access()
        .requireUseOfWorkerGroups(
            c, targetEnvironment, source.pipeline(), targetGroups, "promoteRelease");
    return guard.mutation(
        c,
        "promoteRelease",
        "release " + releaseId,
        targetEnvironment,
        "from " + source.environment() + "/" + source.pipeline() + " worker groups " + map,
        ORCHESTRATOR,
        () -> orchestrator.promote(releaseId, new Requests.Promotion(targetEnvironment, map)));
  }

  /**
   * The worker groups the tasks of a stored (normalized) definition run in: every task names its
   * group there.
   */
  static Set<String> workerGroupsOf(Object definition) {
    Set<String> out = new TreeSet<>();
    if (definition instanceof Map<?, ?> def && def.get("tasks") instanceof List<?> tasks) {
      for (Object t : tasks) {
        Object g = t instanceof Map<?, ?> task ? task.get("workerGroup") : null;
        if (g == null && def.get("workerGroup") != null) {
          g = def.get("workerGroup");
        }
        if (g != null) {
          out.add(g.toString());
        }
      }
    }
    return out;
  }

  /** A worker group of the source environment and the one that replaces it in the target. */
  @Input("WorkerGroupMapping")
  public record WorkerGroupMapping(@NonNull String from, @NonNull String to) {}
}
