package io.dataplane.gateway.service;

import static io.dataplane.gateway.client.Backends.FILESTORE;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.FileEntry;
import io.dataplane.gateway.client.FilestoreClient;
import io.dataplane.gateway.graphql.Guard;
import io.dataplane.gateway.graphql.Inputs;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.regex.Pattern;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * A pipeline's code files in filestore-service, for GraphQL (text files) and REST (any file):
 * reading one needs read on the pipeline, writing write and deleting delete; changes are audited
 * with the target {@code "file <pipeline>/<path>"}.
 */
@ApplicationScoped
public class PipelineFiles {

  /** Relative file paths: no leading slash, no empty, "." or ".." segments. */
  public static final Pattern PATH =
      Pattern.compile("(?!/)(?!.*//)(?!(.*/)?\\.\\.?(/|$))[^\\\\\\x00-\\x1f]{1,512}(?<!/)");

  /** What {@link #PATH} asks for, as an input error says it. */
  public static final String PATH_RULE = "must be a relative path without '..'";

  private final Guard guard;
  private final FilestoreClient filestore;

  public PipelineFiles(Guard guard, @RestClient FilestoreClient filestore) {
    this.guard = guard;
    this.filestore = filestore;
  }

  /** Checks a file's address; {@code envField} is the environment's name in the caller's input. */
  public static void check(String envField, String environment, String pipeline, String path) {
    Inputs.check()
        .name(envField, environment)
        .name("pipeline", pipeline)
        .matches("path", path, PATH, PATH_RULE)
        .orFail();
  }

  public byte[] read(String environment, String pipeline, String path, String action) {
    guard.require(Permission.READ, environment, pipeline, action);
    return Backends.call(
        FILESTORE, () -> filestore.read(environment, pipeline, FilestoreClient.encodePath(path)));
  }

  public FileEntry write(
      String environment, String pipeline, String path, byte[] content, String action) {
    Caller c = guard.require(Permission.WRITE, environment, pipeline, action);
    return guard.mutation(
        c,
        action,
        target(pipeline, path),
        environment,
        content.length + " bytes",
        FILESTORE,
        () -> filestore.write(environment, pipeline, FilestoreClient.encodePath(path), content));
  }

  /** Deletes a file: true once done. */
  public boolean delete(String environment, String pipeline, String path, String action) {
    Caller c = guard.require(Permission.DELETE, environment, pipeline, action);
    return guard.deletion(
        c,
        action,
        target(pipeline, path),
        environment,
        FILESTORE,
        () -> filestore.delete(environment, pipeline, FilestoreClient.encodePath(path)));
  }

  /** A file as the audit log names it. */
  public static String target(String pipeline, String path) {
    return "file " + pipeline + "/" + path;
  }
}
