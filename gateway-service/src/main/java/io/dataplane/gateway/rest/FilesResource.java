package io.dataplane.gateway.rest;

import static io.dataplane.gateway.client.Backends.FILESTORE;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.FileEntry;
import io.dataplane.gateway.client.FilestoreClient;
import io.dataplane.gateway.graphql.Guard;
import io.dataplane.gateway.graphql.Inputs;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Binary upload and download of a pipeline's code files (GraphQL carries text files only). */
@Path("/api/files/{env}/{pipeline}/{path: .+}")
@Blocking
public class FilesResource {

  static final Pattern FILE_PATH =
      Pattern.compile("(?!/)(?!.*//)(?!(.*/)?\\.\\.?(/|$))[^\\\\\\x00-\\x1f]{1,512}(?<!/)");

  private final Guard guard;
  private final FilestoreClient filestore;

  public FilesResource(Guard guard, @RestClient FilestoreClient filestore) {
    this.guard = guard;
    this.filestore = filestore;
  }

  @GET
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public Response download(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path) {
    check(env, pipeline, path);
    guard.require(Permission.READ, env, pipeline, "downloadFile");
    byte[] bytes =
        Backends.call(
            FILESTORE, () -> filestore.read(env, pipeline, FilestoreClient.encodePath(path)));
    String fileName = path.substring(path.lastIndexOf('/') + 1).replace("\"", "");
    return Response.ok(bytes, MediaType.APPLICATION_OCTET_STREAM_TYPE)
        .header("Content-Disposition", "attachment; filename=\"" + fileName + "\"")
        .build();
  }

  @PUT
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public FileEntry upload(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path,
      byte[] content) {
    check(env, pipeline, path);
    Caller c = guard.require(Permission.WRITE, env, pipeline, "uploadFile");
    byte[] bytes = content == null ? new byte[0] : content;
    return guard.mutation(
        c,
        "uploadFile",
        "file " + pipeline + "/" + path,
        env,
        bytes.length + " bytes",
        FILESTORE,
        () -> filestore.write(env, pipeline, FilestoreClient.encodePath(path), bytes));
  }

  @DELETE
  public Response delete(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path) {
    check(env, pipeline, path);
    Caller c = guard.require(Permission.DELETE, env, pipeline, "deleteFile");
    guard.deletion(
        c,
        "deleteFile",
        "file " + pipeline + "/" + path,
        env,
        FILESTORE,
        () -> filestore.delete(env, pipeline, FilestoreClient.encodePath(path)));
    return Response.noContent().build();
  }

  private static void check(String env, String pipeline, String path) {
    Inputs.check()
        .name("env", env)
        .name("pipeline", pipeline)
        .matches("path", path, FILE_PATH, "must be a relative path without '..'")
        .orFail();
  }
}
