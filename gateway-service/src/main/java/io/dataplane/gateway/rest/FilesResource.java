package io.dataplane.gateway.rest;

import io.dataplane.gateway.client.Dtos.FileEntry;
import io.dataplane.gateway.service.PipelineFiles;
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

/** Binary upload and download of a pipeline's code files (GraphQL carries text files only). */
@Path("/api/files/{env}/{pipeline}/{path: .+}")
@Blocking
public class FilesResource {

  private final PipelineFiles files;

  public FilesResource(PipelineFiles files) {
    this.files = files;
  }

  @GET
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public Response download(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path) {
    PipelineFiles.check("env", env, pipeline, path);
    byte[] bytes = files.read(env, pipeline, path, "downloadFile");
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
    PipelineFiles.check("env", env, pipeline, path);
    byte[] bytes = content == null ? new byte[0] : content;
    return files.write(env, pipeline, path, bytes, "uploadFile");
  }

  @DELETE
  public Response delete(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path) {
    PipelineFiles.check("env", env, pipeline, path);
    files.delete(env, pipeline, path, "deleteFile");
    return Response.noContent().build();
  }
}
